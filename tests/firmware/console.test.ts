import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_LINE_BYTES,
  type ProvisionValues,
  formatCommand,
  maskLikeDevice,
  parseConfigShow,
  provisioningSteps,
  quoteArg,
  redact,
  splitArgv,
  validateProvisionValues,
  verifyConfigShow,
} from "../../firmware/mimiclaw/console";

const base: ProvisionValues = {
  wifiSsid: "Home",
  wifiPassword: "correct horse",
  provider: "anthropic",
  model: "claude-opus-4-5",
  apiKey: "sk-ant-api03-abcdefghijklmnop",
};

describe("splitArgv (ESP-IDF esp_console_split_argv)", () => {
  it.each([
    ["abc def 1 20 .3", ["abc", "def", "1", "20", ".3"]],
    ['abc "123 456" def', ["abc", "123 456", "def"]],
    ['a\\ b\\\\c\\"', ['a b\\c"']],
    ['"ab"cd', ["ab", "cd"]],
    ["a\\nb", ["ab"]],
    ["it's 'quoted'", ["it's", "'quoted'"]],
    ["  lots   of   space  ", ["lots", "of", "space"]],
    ["tab\tis\tnot\ta\tseparator", ["tab\tis\tnot\ta\tseparator"]],
    ['""', [""]],
    ['x "unterminated', ["x", "unterminated"]],
  ])("%j", (line, argv) => {
    expect(splitArgv(line)).toEqual(argv);
  });

  it("keeps at most 31 arguments", () => {
    expect(splitArgv(Array.from({ length: 40 }, (_, i) => `a${i}`).join(" "))).toHaveLength(31);
  });
});

describe("quoting", () => {
  const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });

  it("round-trips any printable ASCII arguments through the console's splitter", () => {
    fc.assert(
      fc.property(fc.array(printable, { minLength: 1, maxLength: 4 }), (args) => {
        let line: string;
        try {
          line = formatCommand("set_x", args);
        } catch {
          return; // longer than the console accepts: refused, checked below
        }
        const argv = splitArgv(line);
        const rest = argv[1] === "--" ? argv.slice(2) : argv.slice(1);
        expect(argv[0]).toBe("set_x");
        expect(rest).toEqual(args);
      }),
      { numRuns: 500 },
    );
  });

  it("adds -- only when an argument starts with a dash", () => {
    expect(formatCommand("set_wifi", ["net", "-secret"])).toBe('set_wifi -- "net" "-secret"');
    expect(formatCommand("set_wifi", ["net", "-"])).toBe('set_wifi "net" "-"');
    expect(formatCommand("set_model", ["a-b"])).toBe('set_model "a-b"');
  });

  it("escapes backslashes and quotes", () => {
    expect(quoteArg('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
  });

  it("refuses what the console would silently drop", () => {
    expect(() => quoteArg("café")).toThrow(/printable ASCII/);
    expect(() => quoteArg("tab\there")).toThrow(/printable ASCII/);
    expect(() => quoteArg("🔑")).toThrow(/printable ASCII/);
  });

  it("refuses a line longer than 255 bytes", () => {
    expect(() => formatCommand("set_api_key", ["k".repeat(MAX_LINE_BYTES)])).toThrow(/at most 255/);
    expect(formatCommand("set_api_key", ["k".repeat(MAX_LINE_BYTES - 14)])).toHaveLength(MAX_LINE_BYTES);
  });
});

describe("provisioning sequence", () => {
  it("sets WiFi, key, model, provider and clears the proxy by default", () => {
    expect(provisioningSteps(base).map((s) => [s.command, s.args])).toEqual([
      ["set_wifi", ["Home", "correct horse"]],
      ["set_api_key", ["sk-ant-api03-abcdefghijklmnop"]],
      ["set_model", ["claude-opus-4-5"]],
      ["set_model_provider", ["anthropic"]],
      ["clear_proxy", []],
    ]);
  });

  it("adds the telegram token and the proxy when given", () => {
    const steps = provisioningSteps({ ...base, telegramToken: "123:abc", proxy: { host: "10.0.0.2", port: 7897, type: "socks5" } });
    expect(steps.map((s) => s.command)).toEqual(["set_wifi", "set_api_key", "set_model", "set_model_provider", "set_tg_token", "set_proxy"]);
    expect(steps.at(-1)!.args).toEqual(["10.0.0.2", "7897", "socks5"]);
    expect(steps.find((s) => s.command === "set_tg_token")!.secrets).toEqual(["123:abc"]);
  });

  it("collects every invalid value at once", () => {
    const errors = validateProvisionValues({
      ...base,
      wifiSsid: "x".repeat(33),
      wifiPassword: "short",
      model: "modèle",
      provider: "gemini" as "openai",
      proxy: { host: "bad host", port: 70000, type: "http" },
    });
    expect(errors.map((e) => e.field).sort()).toEqual(["model", "provider", "proxy.host", "proxy.port", "wifiPassword", "wifiSsid"]);
  });

  it("accepts an open network (empty password)", () => {
    expect(validateProvisionValues({ ...base, wifiPassword: "" })).toEqual([]);
  });
});

describe("redaction", () => {
  it("removes whole secrets, their words and their quoted form", () => {
    const secret = 'pa ss"word with words';
    const text = `set_wifi "net" "pa ss\\"word with words"\nset_wifi: unexpected argument "words"\nwith`;
    const out = redact(text, [secret]);
    expect(out).not.toContain("ss\\\"word");
    expect(out).not.toContain("words");
    expect(out).toContain("[redacted]");
  });
});

describe("config_show", () => {
  const shown = [
    "=== Current Configuration ===",
    "  WiFi SSID     : Home  [NVS]",
    "  WiFi Pass     : corr****  [NVS]",
    "  TG Token      : (empty)  [not set]",
    "  API Key       : sk-a****  [NVS]",
    "  Model         : claude-opus-4-5  [NVS]",
    "  Provider      : anthropic  [NVS]",
    "  Proxy Host    : (empty)  [not set]",
    "  Proxy Port    : (empty)  [not set]",
    "=============================",
  ].join("\r\n");

  it("parses rows and confirms matching values", () => {
    const rows = parseConfigShow(shown);
    expect(rows.get("WiFi SSID")).toEqual({ display: "Home", source: "NVS" });
    expect(verifyConfigShow(rows, base)).toEqual({ problems: [], notes: [] });
  });

  it("reports a mismatch without revealing a secret", () => {
    const rows = parseConfigShow(shown);
    const { problems } = verifyConfigShow(rows, { ...base, apiKey: "zzzz-other-key", model: "gpt-4o" });
    expect(problems).toHaveLength(2);
    expect(problems.join(" ")).not.toContain("zzzz");
    expect(problems.join(" ")).toContain("gpt-4o");
  });

  it("masks like the device: first four characters when longer than six", () => {
    expect(maskLikeDevice("abcdefg")).toBe("abcd****");
    expect(maskLikeDevice("abcdef")).toBe("abcdef");
  });

  it("notes values too long for config_show instead of failing", () => {
    const rows = parseConfigShow(shown.replace("  API Key       : sk-a****  [NVS]", "  API Key       : (empty)  [not set]"));
    const { problems, notes } = verifyConfigShow(rows, { ...base, apiKey: "k".repeat(150) });
    expect(problems).toEqual([]);
    expect(notes[0]).toMatch(/API Key is 150 characters/);
  });
});
