/**
 * The shared entrypoint library (runtimes/shared/clawlab-entrypoint.sh + render.awk),
 * run for real with dash (and busybox sh) and mawk/gawk on the host, in temp dirs.
 * Covers: injection-proof rendering per format (property tests parsed back with the
 * real parsers), restart idempotence, validation, _FILE secrets, print-config masking,
 * the canonical-layout self-check, argument handling, the root start (ownership fix,
 * privilege drop, exec) and the non-root start.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  AWKS,
  FORMATS,
  HAVE_LIBYAML,
  HAVE_SETPRIV,
  IS_ROOT,
  LIB,
  LIB_DIR,
  RAW_HAZARDS,
  RUNTIME_UID,
  SHELLS,
  type Format,
  bytes,
  cleanupSandboxes,
  contractTargets,
  cutBytes,
  fixtureBaked,
  fixtureContract,
  getPath,
  main,
  parseConfig,
  parseLibyamlMany,
  render,
  runCmd,
  runLib,
  sandbox,
  setPath,
  writeEntrypoint,
} from "./patcher-harness";

afterAll(() => cleanupSandboxes());

/** String-typed fixture variables per format (S1..S8; dotenv has S1..S4). */
const STRING_VARS: Record<Format, readonly string[]> = {
  toml: ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"],
  json: ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"],
  yaml: ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"],
  dotenv: ["S1", "S2", "S3", "S4"],
};
/** List-typed fixture variables per format. */
const LIST_VARS: Record<Format, readonly string[]> = {
  toml: ["TOKENS", "ALLOW", "KEYS"],
  json: ["TOKENS", "ALLOW", "KEYS"],
  yaml: ["TOKENS", "ALLOW", "KEYS"],
  dotenv: ["ALLOW"],
};

const C0 = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1));
const C1 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x80 + i));
/** Single characters that break naive patchers, parsers or awk's gsub. */
const HOSTILE_CHARS: readonly string[] = [
  '"', "\\", "'", "\n", "\r", "\t", "#", "]", "[", "=", "$", "{", "}", "(", ")", "`", "%", "&", ":", ",",
  " ", "-", "*", "!", "|", ">", "@", "?", "~", ".", "\u0085", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff",
  "\u007f", "\u00a0", "\u202e", "\u200d", "é", "ß", "中", "😀", "\u{10ffff}", ...C0, ...C1,
];
/** Multi-character fragments that look like syntax of one of the formats or of sh/awk. */
const HOSTILE_FRAGMENTS: readonly string[] = [
  "${HOME}", "$(id)", "`id`", "\\&", "\\\\&", "&&", "\\u0041", "\\n", '\\"', '"""', "'''", "%s%n%d",
  '\n[evil]\nx = 1\n', '",\n  "evil": "1', "\n  evil: 1\n", "\nEVIL=1\n", "]]", "[[x]]", "key = \"v\"",
  ": ", " #", "- ", "---", "...", "!!python/object", "&a", "*a", "{a: 1}", "null", "~", "true", "0x10",
  "1e3", "\r\n", "\\\n", "\u00c2\u0085",
];
/** 64 KiB values (UTF-8 bytes), each the worst case of something. */
const BIG_SEED = '"\\\n\r\t#]=${x}$(id)`%&\u0085\u2028\u2029\ufeff\u007f\u0001é😀';
const BIG: readonly string[] = [
  cutBytes(BIG_SEED.repeat(4000), 65536),
  "\\".repeat(65536),
  '"'.repeat(65536),
  "\n".repeat(65536),
  "&".repeat(65536),
  "a".repeat(65536),
  cutBytes("\u2028".repeat(30000), 65536),
];
/** Curated hostile values, all tested in every format with every awk. */
const CURATED: readonly string[] = [
  "",
  " leading and trailing ",
  HOSTILE_CHARS.join(""),
  C0.join(""),
  C1.join(""),
  ...HOSTILE_CHARS,
  ...HOSTILE_FRAGMENTS,
];

const hostileChar = fc.constantFrom(...HOSTILE_CHARS);
/** Arbitrary hostile strings: any Unicode (no NUL), hostile alphabets, fragments, curated. */
const hostileString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }).map((s) => s.replace(/\0/g, "")),
  fc.string({ unit: hostileChar, maxLength: 40 }),
  fc.string({ unit: fc.oneof(hostileChar, fc.constantFrom(...HOSTILE_FRAGMENTS)), maxLength: 12 }),
  fc.constantFrom(...CURATED),
);
/** A list item: hostile, but no comma or line break, non-empty and not space-padded (items are trimmed). */
const listItem = fc
  .string({ unit: fc.oneof(hostileChar, fc.constantFrom(...HOSTILE_FRAGMENTS)), minLength: 1, maxLength: 8 })
  .map((s) => s.replace(/[,\n\r]/g, "").replace(/^[ \t]+|[ \t]+$/g, ""))
  .filter((s) => s.length > 0);

/**
 * Renders `env` and checks it against the real parser: every set variable's field holds
 * exactly `expected[var]`, the whole document deep-equals the baked one with only those
 * fields changed, and no line other than theirs changed.
 */
function expectRendered(
  format: Format,
  env: Record<string, string>,
  expected: Record<string, unknown>,
  awk: string,
  shell?: readonly string[],
): string {
  const sb = sandbox(format);
  const { run, text } = render(sb, env, { awk, ...(shell ? { shell } : {}) });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  expect(text).toBeDefined();
  const targets = contractTargets(fixtureContract(format));
  const baked = fixtureBaked(format);
  for (const version of format === "yaml" ? (["1.2", "1.1"] as const) : (["1.2"] as const)) {
    const want = parseConfig(format, baked, version);
    for (const [name, value] of Object.entries(expected)) {
      const target = targets.get(name)!.target;
      if (format === "dotenv") (want as Record<string, unknown>)[target] = value;
      else setPath(want, target, value);
    }
    const got = parseConfig(format, text!, version);
    for (const [name, value] of Object.entries(expected)) {
      const target = targets.get(name)!.target;
      const field = format === "dotenv" ? (got as Record<string, unknown>)[target] : getPath(got, target);
      expect(field, `${name} (${format}, yaml ${version})`).toStrictEqual(value);
    }
    expect(got).toStrictEqual(want);
  }
  if (format === "yaml" && HAVE_LIBYAML) {
    const want = structuredClone(libyamlBaked());
    for (const [name, value] of Object.entries(expected)) setPath(want, targets.get(name)!.target, value);
    libyamlQueue.push({ text: text!, want });
    if (libyamlQueue.length >= 64) flushLibyaml();
  }
  const bakedLines = baked.split("\n");
  const lines = text!.split("\n");
  for (const line of lines) expect(RAW_HAZARDS[format].test(line), "raw hazard in a rendered line").toBe(false);
  expect(lines.length).toBe(bakedLines.length);
  const changed = lines.filter((l, i) => l !== bakedLines[i]).length;
  expect(changed).toBeLessThanOrEqual(Object.keys(expected).length);
  return text!;
}

/** Rendered YAML waiting to be checked by libyaml (one python process per batch). */
const libyamlQueue: { text: string; want: unknown }[] = [];
let libyamlBakedDoc: unknown;
/** The fixture baked YAML as libyaml reads it. */
function libyamlBaked(): unknown {
  libyamlBakedDoc ??= parseLibyamlMany([fixtureBaked("yaml")])[0];
  return libyamlBakedDoc;
}
/** Checks the queued YAML renders with libyaml (YAML 1.1): each parses to the expected document. */
function flushLibyaml(): void {
  const batch = libyamlQueue.splice(0);
  if (batch.length === 0) return;
  const docs = parseLibyamlMany(batch.map((b) => b.text));
  batch.forEach((b, i) => expect(docs[i], `libyaml (YAML 1.1) on ${JSON.stringify(b.text.slice(0, 200))}`).toStrictEqual(b.want));
}
afterEach(() => flushLibyaml());

/**
 * A hostile string as a format can carry it: everything, except that a .env value cannot
 * hold a line break or be empty (the reader has no escapes and takes empty as unset) —
 * the library refuses those, which "what a .env cannot carry is refused" tests below.
 */
function carried(format: Format, value: string): string {
  if (format !== "dotenv") return value;
  const flat = value.replace(/[\r\n]/g, "");
  return flat === "" ? "x" : flat;
}

/** Environment + expectations for hostile strings (and lists) batched into one render. */
function hostileBatch(format: Format, strings: readonly string[], lists: readonly (readonly string[])[] = []) {
  const env: Record<string, string> = {};
  const expected: Record<string, unknown> = {};
  STRING_VARS[format].forEach((name, i) => {
    if (i >= strings.length) return;
    env[name] = carried(format, strings[i]!);
    expected[name] = env[name];
  });
  LIST_VARS[format].forEach((name, i) => {
    if (i >= lists.length) return;
    env[name] = lists[i]!.join(i % 2 === 0 ? ", " : ",\t");
    expected[name] = format === "dotenv" ? lists[i]!.join(",") : [...lists[i]!];
  });
  return { env, expected };
}

describe("what a .env cannot carry is refused", () => {
  it.each([
    ["a line feed", "a\nB=injected"],
    ["a carriage return", "a\rb"],
    ["an empty value", ""],
  ])("%s, naming the variable and never the value", (_, value) => {
    const sb = sandbox("dotenv");
    const { run } = render(sb, { S1: value });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^clawlab: S1: /m);
    if (value) expect(run.stderr).not.toContain(value);
  });
});

describe("the library's shape", () => {
  it("sourcing it runs nothing, and every function has a one-line comment", () => {
    const sb = sandbox("toml");
    const r = runLib(sb, "echo sourced-ok");
    expect(r).toMatchObject({ status: 0, stdout: "sourced-ok\n", stderr: "" });
    expect(fs.readdirSync(sb.stateDir)).toEqual([]);
    const src = fs.readFileSync(LIB, "utf8").split("\n");
    const fns = src.flatMap((l, i) => (/^([A-Za-z_][A-Za-z0-9_]*)\(\) \{/.test(l) ? [{ name: l.split("(")[0]!, i }] : []));
    expect(fns.length).toBeGreaterThan(10);
    for (const { name, i } of fns) {
      expect(name, "prefix").toMatch(/^_?claw_/);
      expect(src[i - 1], `comment above ${name}`).toMatch(new RegExp(`^# ${name}\\b`));
    }
    expect(src.join("\n")).not.toMatch(/^\s*set -[a-z]*x/m);
    const awk = fs.readFileSync(path.join(LIB_DIR, "render.awk"), "utf8").split("\n");
    awk.forEach((l, i) => {
      if (/^function /.test(l)) expect(awk[i - 1], `comment above ${l}`).toMatch(/^# /);
    });
  });
});

describe.each(AWKS)("rendering with %s", (awk) => {
  describe.each(FORMATS)("%s", (format) => {
    it("the canonical baked fixture passes check-baked, and renders byte-identical with no overrides", () => {
      const sb = sandbox(format);
      const check = main(sb, ["check-baked"], {}, { awk });
      expect(check.stderr).toBe("");
      expect(check.status).toBe(0);
      const { run, text } = render(sb, {}, { awk });
      expect(run.status).toBe(0);
      expect(text).toBe(fixtureBaked(format));
    });

    it("curated hostile strings (quotes, backslashes, controls, C1, LS/PS, BOM, syntax fragments) land byte-exact", () => {
      const per = STRING_VARS[format].length;
      for (let i = 0; i < CURATED.length; i += per) {
        const { env, expected } = hostileBatch(format, CURATED.slice(i, i + per));
        expectRendered(format, env, expected, awk);
      }
    });

    it("64 KiB hostile values land byte-exact", () => {
      const per = Math.min(4, STRING_VARS[format].length);
      for (let i = 0; i < BIG.length; i += per) {
        const { env, expected } = hostileBatch(format, BIG.slice(i, i + per));
        for (const v of Object.values(env)) expect(bytes(v)).toBeLessThanOrEqual(65536);
        expectRendered(format, env, expected, awk);
      }
    });

    it("64 KiB lists (thousands of items, long blank runs) render exactly and fast", () => {
      const many = Array.from({ length: 5000 }, (_, i) => `i${i}"\\`);
      const blanks = ["a", "b"];
      const started = Date.now();
      const env: Record<string, string> = { ALLOW: many.join(" , ") };
      const expected: Record<string, unknown> = { ALLOW: format === "dotenv" ? many.join(",") : many };
      if (format !== "dotenv") {
        env.IDS = Array.from({ length: 9000 }, (_, i) => String(i - 4500)).join(", ");
        expected.IDS = Array.from({ length: 9000 }, (_, i) => i - 4500);
        env.TOKENS = `${" ".repeat(30000)}a,\t${" ".repeat(30000)}b${" ".repeat(3000)}`;
        expected.TOKENS = blanks;
      }
      for (const v of Object.values(env)) expect(bytes(v)).toBeLessThanOrEqual(65536);
      expectRendered(format, env, expected, awk);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it("property: arbitrary hostile strings and lists land byte-exact, nothing else changes", () => {
      fc.assert(
        fc.property(
          fc.array(hostileString, { minLength: STRING_VARS[format].length, maxLength: STRING_VARS[format].length }),
          fc.array(fc.array(listItem, { minLength: 1, maxLength: 4 }), {
            minLength: LIST_VARS[format].length,
            maxLength: LIST_VARS[format].length,
          }),
          (strings, lists) => {
            const { env, expected } = hostileBatch(format, strings, lists);
            expectRendered(format, env, expected, awk);
          },
        ),
        { numRuns: 40 },
      );
    });

    it("typed values are written as native numbers, booleans and arrays", () => {
      const env: Record<string, string> = { PORT: "8080", PAIRING: "false", ALLOW: " a ,\tb,c " };
      const expected: Record<string, unknown> =
        format === "dotenv"
          ? { PORT: "8080", PAIRING: "false", ALLOW: "a,b,c" }
          : { PORT: 8080, PAIRING: false, ALLOW: ["a", "b", "c"] };
      if (format !== "dotenv") {
        Object.assign(env, { ENABLED: "true", SCHEMA: "-42", MODE: "c", IDS: "7, -8,9", TOKENS: "t1", KEYS: "k1,k2" });
        Object.assign(expected, {
          ENABLED: true,
          SCHEMA: -42,
          MODE: "c",
          IDS: [7, -8, 9],
          TOKENS: ["t1"],
          KEYS: ["k1", "k2"],
        });
      }
      expectRendered(format, env, expected, awk);
    });

    it("restart idempotence: ten starts give byte-identical files, the baked copy is never edited", () => {
      const sb = sandbox(format);
      const env = { S1: carried(format, 'x"\n[evil]\\'), S2: "y", PORT: "1234", ALLOW: "p, q" };
      const bakedBefore = fs.readFileSync(sb.baked);
      let first: string | undefined;
      for (let i = 0; i < 10; i++) {
        const { run, text } = render(sb, env, { awk });
        expect(run.status).toBe(0);
        first ??= text;
        expect(text).toBe(first);
      }
      expect(fs.readFileSync(sb.baked).equals(bakedBefore)).toBe(true);
      // An unset variable goes back to the baked value on the next start.
      const { text } = render(sb, { S2: "y", PORT: "1234", ALLOW: "p, q" }, { awk });
      expect(text).not.toBe(first);
      const { text: back } = render(sb, {}, { awk });
      expect(back).toBe(fixtureBaked(format));
    });
  });
});

describe.each(SHELLS)("with $name", ({ argv }) => {
  it.each(FORMATS)("%s: renders hostile values, refuses bad ones, masks secrets", (format) => {
    const { env, expected } = hostileBatch(format, CURATED.slice(0, STRING_VARS[format].length));
    expectRendered(format, env, expected, AWKS[0]!, argv);
    const sb = sandbox(format);
    const bad = main(sb, ["print-config"], { PORT: "99999", S1: "CANARY-SECRET" }, { shell: argv });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("clawlab: PORT: not a port number (an integer 1-65535)\n");
    const both = main(sb, ["print-config"], { S1: "CANARY-SECRET", S1_FILE: "" }, { shell: argv });
    expect(both.status).toBe(1);
    expect(both.stderr).toContain("clawlab: S1: both S1 and S1_FILE are set");
    expect(both.stderr).not.toContain("CANARY");
  });
});

describe("validation", () => {
  it.each(AWKS)("collects every error (%s), names each variable, exits 1 once, writes nothing, never prints a value", (awk) => {
    const sb = sandbox("toml");
    const canary = "CANARY-0xdeadbeef";
    const badUtf8 = path.join(sb.dir, "bad-utf8");
    fs.writeFileSync(badUtf8, Buffer.concat([Buffer.from(canary), Buffer.from([0xff, 0xfe, 0xc0, 0x80])]));
    const env = {
      PORT: "0",
      PAIRING: "yes",
      ENABLED: "TRUE",
      SCHEMA: "007",
      MODE: "d",
      TOKENS: `a,,${canary}`,
      ALLOW: `x\n${canary}`,
      IDS: `1,${canary}`,
      KEYS: "",
      ENV_INT: `${canary}`,
      GLOB_A_FLAG: "maybe",
      GLOB_B_FLAG: "true",
      S3_FILE: badUtf8,
      GLOB_Z_KEY: canary,
      GLOB_Z_KEY_FILE: badUtf8,
    };
    const r = main(sb, ["fixtureclaw"], env, { awk });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain(canary);
    expect(r.stderr.split("\n").filter(Boolean).sort()).toEqual(
      [
        "clawlab: ENABLED: must be true or false",
        "clawlab: ENV_INT: not an integer (decimal digits with an optional leading -)",
        "clawlab: GLOB_A_FLAG: must be true or false",
        "clawlab: GLOB_Z_KEY: both GLOB_Z_KEY and GLOB_Z_KEY_FILE are set; set only one of them",
        "clawlab: IDS: item 2: not an integer (decimal digits with an optional leading -)",
        "clawlab: KEYS: is an empty list (unset it to keep the image default)",
        "clawlab: MODE: must be one of: a, b, c",
        "clawlab: PAIRING: must be true or false",
        "clawlab: PORT: not a port number (an integer 1-65535)",
        "clawlab: S3: not valid UTF-8",
        "clawlab: SCHEMA: not an integer: leading zeros are not allowed",
        "clawlab: TOKENS: item 2 is empty (comma-separated, each item non-empty)",
        "clawlab: ALLOW: a list must not contain line breaks",
      ].sort(),
    );
    expect(fs.existsSync(sb.configPath)).toBe(false);
    expect(fs.readdirSync(sb.stateDir)).toEqual([]);
  });

  it.each([
    ["PORT", "65536", false],
    ["PORT", "1", true],
    ["PORT", "65535", true],
    ["PORT", "08080", false],
    ["PORT", " 80", false],
    ["SCHEMA", "9223372036854775807", true],
    ["SCHEMA", "-9223372036854775808", true],
    ["SCHEMA", "9223372036854775808", false],
    ["SCHEMA", "-0", false],
    ["SCHEMA", "0", true],
    ["SCHEMA", "1.5", false],
    ["SCHEMA", "+1", false],
    ["PAIRING", "", false],
    ["ALLOW", " , a", false],
    ["ALLOW", "a,", false],
    ["ALLOW", "a\rb", false],
    ["ALLOW", "single", true],
    ["IDS", "1, 2 ,3", true],
    ["IDS", "1,,3", false],
    ["MODE", "a|b", false],
    ["MODE", "b", true],
    ["S1", "", true],
  ])("%s=%j valid: %s", (name, value, valid) => {
    const sb = sandbox("toml");
    const { run } = render(sb, { [name]: value });
    expect(run.status).toBe(valid ? 0 : 1);
    if (!valid) expect(run.stderr).toMatch(new RegExp(`^clawlab: ${name}: `));
    else expect(run.stderr).toBe("");
  });

  it("a key missing from the baked config is an image bug, reported loudly (check-baked too)", () => {
    const contract = `${fixtureContract("toml")}NOPE\tstring\t-\tgateway.nope\t-\nTABLE\tstring\t-\tgateway\t-\n`;
    const sb = sandbox("toml", { contract });
    const { run } = render(sb, { NOPE: "x", TABLE: "y" });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `clawlab: NOPE: key gateway.nope not found in ${sb.baked} (image bug)\n` +
        `clawlab: TABLE: key gateway not found in ${sb.baked} as a value (it is a table/section there) (image bug)\n`,
    );
    const check = main(sb, ["check-baked"], {});
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("clawlab: NOPE: key gateway.nope not found");
  });

  it("two variables writing one key are refused when both are set", () => {
    const contract = `${fixtureContract("json")}TWIN\tstring\t-\tgateway.host\t-\n`;
    const sb = sandbox("json", { contract });
    expect(render(sb, { S7: "a" }).run.status).toBe(0);
    const { run } = render(sb, { S7: "a", TWIN: "b" });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("clawlab: TWIN: sets key gateway.host which S7 sets too; unset one of them\n");
  });
});

describe("secrets from files (VAR_FILE)", () => {
  it.each([
    ["no trailing newline", "s3cr3t", "s3cr3t"],
    ["one trailing newline removed", "s3cr3t\n", "s3cr3t"],
    ["only one of two removed", "s3cr3t\n\n", "s3cr3t\n"],
    ["CRLF keeps the CR", "s3cr3t\r\n", "s3cr3t\r"],
    ["hostile bytes kept", 'a"\\\n[x]\t$(id)\u2028', 'a"\\\n[x]\t$(id)\u2028'],
    ["empty file", "", ""],
  ])("%s", (_, content, value) => {
    const sb = sandbox("toml");
    const file = path.join(sb.dir, "secret");
    fs.writeFileSync(file, content, { mode: 0o400 });
    const { run, text } = render(sb, { S1_FILE: file, GLOB_X_KEY_FILE: file });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(getPath(parseConfig("toml", text!), "providers.models.anthropic.default.api_key")).toBe(value);
  });

  it("VAR and VAR_FILE both set, a missing file, a NUL byte: refused, all reported", () => {
    const sb = sandbox("toml");
    const nul = path.join(sb.dir, "nul");
    fs.writeFileSync(nul, Buffer.from("ab\0cd"));
    const r = main(sb, ["fixtureclaw"], {
      S1: "x",
      S1_FILE: nul,
      S3_FILE: path.join(sb.dir, "missing"),
      TOKENS_FILE: nul,
      ENV_SECRET_FILE: sb.dir,
      PORT: "bad",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      [
        "clawlab: S1: both S1 and S1_FILE are set; set only one of them",
        `clawlab: S3_FILE: ${sb.dir}/missing is not a readable file`,
        `clawlab: TOKENS_FILE: ${nul} contains a NUL byte, which no environment variable can hold`,
        `clawlab: ENV_SECRET_FILE: ${sb.dir} is not a readable file`,
        "clawlab: PORT: not a port number (an integer 1-65535)",
        "",
      ].join("\n"),
    );
  });

  it("only secrets take _FILE; the _FILE variable is gone after reading", () => {
    const sb = sandbox("toml");
    const file = path.join(sb.dir, "v");
    fs.writeFileSync(file, "from-file\n");
    const r = runLib(
      sb,
      'claw_load_conf; claw_file_env_all; echo "S1=${S1-unset} S1_FILE=${S1_FILE-unset} S2=${S2-unset} S2_FILE=${S2_FILE-unset} G=${GLOB_Q_KEY-unset} ${GLOB_Q_KEY_FILE-unset}"',
      { env: { S1_FILE: file, S2_FILE: file, GLOB_Q_KEY_FILE: file } },
    );
    expect(r.stdout).toBe(`S1=from-file S1_FILE=unset S2=unset S2_FILE=${file} G=from-file unset\n`);
  });
});

describe("print-config", () => {
  it.each(FORMATS)("%s: same render as a start, secrets set from env masked as ***, still parses, exit 0", (format) => {
    const sb = sandbox(format);
    const canary = "CANARY-print-7f3a";
    const env: Record<string, string> = { S1: carried(format, `${canary}"\n`), S2: "visible", S3: canary, PORT: "8080" };
    if (format !== "dotenv") Object.assign(env, { TOKENS: `${canary},b`, ALLOW: "x,y" });
    const r = main(sb, ["print-config"], env);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain(canary);
    expect(fs.existsSync(sb.configPath)).toBe(false);
    const printed = parseConfig(format, r.stdout);
    // Compare with a real render of the same env: only the secret fields differ.
    const { text } = render(sb, env);
    const rendered = parseConfig(format, text!);
    const targets = contractTargets(fixtureContract(format));
    for (const [name, { type, secret, target }] of targets) {
      if (!(name in env) || target === "env") continue;
      const masked = format !== "dotenv" && type.endsWith("list") ? ["***"] : "***";
      if (secret) {
        if (format === "dotenv") (rendered as Record<string, unknown>)[target] = masked;
        else setPath(rendered, target, masked);
      }
    }
    expect(printed).toStrictEqual(rendered);
    expect(r.stdout).toContain("visible");
  });
});

describe("the canonical layout self-check (check-baked) and strict rendering", () => {
  const cases: [Format, string, string, string][] = [
    ["toml", "multi-line array", "paired_tokens = []", 'paired_tokens = [\n  "a",\n]'],
    ["toml", "trailing comment", "port = 42617", "port = 42617 # the port"],
    ["toml", "multi-line string", 'name = "fixture"', 'name = """\nfixture"""'],
    ["toml", "duplicate key", "port = 42617", "port = 42617\nport = 1"],
    ["toml", "duplicate table", "[memory]", "[memory]\n[memory]"],
    ["toml", "indented header", "[memory]", "  [memory]"],
    ["toml", "CRLF line ends", "port = 42617", "port = 42617\r"],
    ["json", "multi-line scalar array", '"paired_tokens": [],', '"paired_tokens": [\n      "a"\n    ],'],
    ["json", "two keys on a line", '"host": "0.0.0.0",', '"host": "0.0.0.0", "x": 1,'],
    ["json", "unbalanced braces", '    "inline": {},', '    "inline": {'],
    ["yaml", "4-space indent", "  host: 0.0.0.0", "    host: 0.0.0.0"],
    ["yaml", "block scalar", "name: fixture", "name: |\n  fixture"],
    ["yaml", "block sequence of scalars", "  paired_tokens: []", "  paired_tokens:\n    - a"],
    ["yaml", "trailing comment", "  port: 42617", "  port: 42617 # port"],
    ["yaml", "anchor", "  port: 42617", "  port: &p 42617"],
    ["dotenv", "export prefix", "TZ=UTC", "export TZ=UTC"],
  ];

  it.each(cases)("%s: %s is refused by check-baked and by every start", (format, what, from, to) => {
    const baked = fixtureBaked(format);
    expect(baked).toContain(from);
    const sb = sandbox(format, { baked: baked.replace(from, to) });
    const check = main(sb, ["check-baked"], {});
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/not in the canonical|already set on line|defined twice|unbalanced/);
    expect(check.stderr.startsWith(`clawlab: ${sb.baked}:`)).toBe(true);
    if (!/duplicate/.test(what)) {
      const { run } = render(sb, {});
      expect(run.status).toBe(1);
      expect(fs.existsSync(sb.configPath)).toBe(false);
    }
  });

  it("a baked file without a final newline fails check-baked (render would change it)", () => {
    const sb = sandbox("json", { baked: fixtureBaked("json").replace(/\n$/, "") });
    const check = main(sb, ["check-baked"], {});
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("rendering with no overrides changes it");
  });

  it("a malformed contract is an image bug with file:line", () => {
    const sb = sandbox("toml", { contract: "A\tstring\t-\n*B\tstring\t-\tgateway.host\t-\nC\tfloat\t-\tenv\t-\n" });
    const check = main(sb, ["check-baked"], {});
    expect(check.status).toBe(1);
    expect(check.stderr).toBe(
      [
        `clawlab: ${sb.contract}:1: expected 5 tab-separated fields NAME TYPE SECRET TARGET DEFAULT (image bug)`,
        `clawlab: ${sb.contract}:2: a name with * must have TARGET env (image bug)`,
        `clawlab: ${sb.contract}:3: unknown type float (string|int|port|bool|list|int-list|enum:a|b) (image bug)`,
        "",
      ].join("\n"),
    );
  });
});

describe("arguments first", () => {
  it("a command other than the runtime is exec'd untouched: no validation, no render", () => {
    const sb = sandbox("toml");
    const r = main(sb, ["sh", "-c", 'echo "hello $1"', "sh", "world"], { PORT: "not-a-port" });
    expect(r).toMatchObject({ status: 0, stdout: "hello world\n", stderr: "" });
    expect(fs.existsSync(sb.configPath)).toBe(false);
  });

  it("no arguments, or a leading -flag, runs the default command (CLAW_COMMAND)", () => {
    const sb = sandbox("toml");
    const { entrypoint } = writeEntrypoint(sb);
    const asUser = IS_ROOT && HAVE_SETPRIV ? ["setpriv", `--reuid=${RUNTIME_UID}`, `--regid=${RUNTIME_UID}`, "--clear-groups", "--"] : [];
    if (asUser.length) fs.chownSync(sb.stateDir, RUNTIME_UID, RUNTIME_UID);
    const none = runCmd(sb, [...asUser, entrypoint]);
    expect(none.stderr).toBe("");
    expect(none.stdout).toMatch(/^ARGS serve$/m);
    const flags = runCmd(sb, [...asUser, entrypoint, "--verbose", "-x", "a b"]);
    expect(flags.stdout).toMatch(/^ARGS serve --verbose -x a b$/m);
    expect(fs.existsSync(sb.configPath)).toBe(true);
  });
});

describe("the rendered file", () => {
  it("the rendered file is 0600 whatever the umask, and replaces the old one atomically", () => {
    const sb = sandbox("dotenv");
    fs.writeFileSync(sb.configPath, "OLD=1\n", { mode: 0o644 });
    const ino = fs.statSync(sb.configPath).ino;
    const script = `. "$CLAW_LIB_DIR/clawlab-entrypoint.sh"; claw_load_conf; claw_setup_env; claw_render render`;
    const r = runCmd(sb, ["sh", "-c", 'umask 000; exec "$@"', "sh", ...SHELLS[0]!.argv, "-c", script], { S1: "k" });
    expect(r.stderr).toBe("");
    const s = fs.statSync(sb.configPath);
    expect(s.mode & 0o777).toBe(0o600);
    expect(s.ino).not.toBe(ino);
    expect(fs.readdirSync(sb.stateDir)).toEqual([path.basename(sb.configPath)]);
  });

  it.runIf(IS_ROOT && HAVE_SETPRIV)("a config directory the runtime user cannot write is reported clearly, with the other errors", () => {
    const sb = sandbox("json");
    const { entrypoint } = writeEntrypoint(sb);
    const r = runCmd(sb, ["setpriv", `--reuid=${RUNTIME_UID}`, `--regid=${RUNTIME_UID}`, "--clear-groups", "--", entrypoint], {
      PORT: "x",
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `clawlab: CLAW_CONFIG_PATH: ${sb.stateDir} is not writable by uid ${RUNTIME_UID} (start as root to fix ownership, or fix the volume)\n` +
        "clawlab: PORT: not a port number (an integer 1-65535)\n",
    );
  });
});

describe.runIf(IS_ROOT && HAVE_SETPRIV)("a root start (as docker runs a root container)", () => {
  it("fixes only wrong ownership, drops to the runtime user, renders 0600, execs the runtime", () => {
    const sb = sandbox("toml");
    const { entrypoint } = writeEntrypoint(sb);
    const U = RUNTIME_UID;
    const st = sb.stateDir;
    fs.writeFileSync(path.join(st, "wrong.txt"), "x");
    fs.writeFileSync(path.join(st, "right.txt"), "x");
    fs.chownSync(path.join(st, "right.txt"), U, U);
    fs.mkdirSync(path.join(st, "sub"));
    fs.writeFileSync(path.join(st, "sub", "deep.txt"), "x");
    const outside = path.join(sb.dir, "outside.txt");
    fs.writeFileSync(outside, "x");
    fs.symlinkSync(outside, path.join(st, "link"));
    fs.writeFileSync(path.join(st, "halfright.txt"), "x");
    fs.chownSync(path.join(st, "halfright.txt"), U, 0);
    const rightCtime = fs.statSync(path.join(st, "right.txt")).ctimeMs;
    const secretFile = path.join(sb.dir, "secret");
    fs.writeFileSync(secretFile, "CANARY-root-file\n", { mode: 0o400 }); // root-only, like docker secrets
    const r = runCmd(sb, [entrypoint, "--flag"], {
      HOME: "/root",
      S1_FILE: secretFile,
      S3: "CANARY-root-env",
      ENV_SECRET: "env-secret-kept",
      PORT: "4242",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(new RegExp(`^ARGS serve --flag$`, "m"));
    expect(out).toMatch(new RegExp(`^IDS ${U} ${U} \\[${U}\\]$`, "m"));
    expect(out).toMatch(/^CapEff:\s+0+$/m);
    expect(out).toMatch(/^CapPrm:\s+0+$/m);
    expect(out).toMatch(/^CapInh:\s+0+$/m);
    expect(out).toMatch(new RegExp(`^HOME ${st}$`, "m"));
    // exec all the way: the runtime has the entrypoint's PID (it is tini's child in the image)
    expect(out).toMatch(new RegExp(`^PID ${r.pid}$`, "m"));
    const envNames = new Set(out.split("\n").filter((l) => l.startsWith("ENV ")).map((l) => l.slice(4)));
    expect(envNames.has("ENV_SECRET")).toBe(true); // TARGET env: the runtime reads it
    expect(envNames.has("PORT")).toBe(true);
    expect(envNames.has("S1")).toBe(false); // file-target secrets live only in the 0600 file
    expect(envNames.has("S3")).toBe(false);
    expect(envNames.has("S1_FILE")).toBe(false);
    expect(out).not.toContain("CANARY");
    // the config: rendered by the runtime user, 0600, secrets in it
    const cfg = fs.statSync(sb.configPath);
    expect([cfg.uid, cfg.gid, cfg.mode & 0o777]).toEqual([U, U, 0o600]);
    const doc = parseConfig("toml", fs.readFileSync(sb.configPath, "utf8"));
    expect(getPath(doc, "providers.models.anthropic.default.api_key")).toBe("CANARY-root-file");
    expect(getPath(doc, "channels.telegram.main.bot_token")).toBe("CANARY-root-env");
    expect(getPath(doc, "gateway.port")).toBe(4242);
    // ownership: wrong ones fixed, right ones untouched, symlinks not followed
    for (const f of ["wrong.txt", "sub", "sub/deep.txt", "halfright.txt", "."]) {
      const s = fs.lstatSync(path.join(st, f));
      expect([f, s.uid, s.gid]).toEqual([f, U, U]);
    }
    expect(fs.statSync(path.join(st, "right.txt")).ctimeMs).toBe(rightCtime);
    expect(fs.lstatSync(path.join(st, "link")).uid).toBe(U);
    expect(fs.statSync(outside).uid).toBe(0);
    expect(fs.readdirSync(st).filter((f) => f.includes("clawlab-new"))).toEqual([]);
  });

  it("creates a missing state dir (0700, owned by the runtime user)", () => {
    const sb = sandbox("json");
    fs.rmSync(sb.stateDir, { recursive: true });
    const { entrypoint } = writeEntrypoint(sb);
    const r = runCmd(sb, [entrypoint]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const s = fs.statSync(sb.stateDir);
    expect([s.uid, s.gid, s.mode & 0o777]).toEqual([RUNTIME_UID, RUNTIME_UID, 0o700]);
    expect(fs.readFileSync(sb.configPath, "utf8")).toBe(fixtureBaked("json"));
  });

  it("errors stop the start before the runtime runs, and set -x in the entrypoint leaks nothing", () => {
    const sb = sandbox("yaml");
    const { entrypoint } = writeEntrypoint(sb, "set -x");
    const r = runCmd(sb, [entrypoint], { S1: "CANARY-xtrace", TOKENS: "CANARY-x,,y", PORT: "x" });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain("CANARY");
    expect(r.stderr).toContain("clawlab: PORT: not a port number");
    expect(r.stderr).toContain("clawlab: TOKENS: item 2 is empty");
    expect(fs.existsSync(sb.configPath)).toBe(false);
  });

  it("a start as the runtime user (docker run --user) skips chown and the drop", () => {
    const sb = sandbox("yaml");
    const { entrypoint } = writeEntrypoint(sb);
    fs.chownSync(sb.stateDir, RUNTIME_UID, RUNTIME_UID);
    fs.writeFileSync(path.join(sb.stateDir, "root-owned"), "x");
    const r = runCmd(sb, ["setpriv", `--reuid=${RUNTIME_UID}`, `--regid=${RUNTIME_UID}`, "--clear-groups", "--", entrypoint], {
      S2: "model-x",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^IDS ${RUNTIME_UID} ${RUNTIME_UID} `, "m"));
    expect(fs.statSync(path.join(sb.stateDir, "root-owned")).uid).toBe(0);
    const cfg = fs.statSync(sb.configPath);
    expect([cfg.uid, cfg.mode & 0o777]).toEqual([RUNTIME_UID, 0o600]);
    expect(getPath(parseConfig("yaml", fs.readFileSync(sb.configPath, "utf8")), "providers.models.anthropic.default.model")).toBe("model-x");
  });
});

describe("claw_check_baked on the real runtimes' generated contracts", () => {
  it("every committed env.contract parses (types, names, targets)", () => {
    const runtimes = path.join(LIB_DIR, "..");
    const names = fs.readdirSync(runtimes).filter((n) => fs.existsSync(path.join(runtimes, n, "env.contract")));
    for (const name of names) {
      const contract = fs.readFileSync(path.join(runtimes, name, "env.contract"), "utf8");
      const conf = fs.readFileSync(path.join(runtimes, name, "runtime.conf"), "utf8");
      const format = /CLAW_CONFIG_FORMAT='([a-z]+)'/.exec(conf)?.[1] as Format;
      const sb = sandbox(format, { contract });
      // validate mode parses the contract and the (fixture) baked file; file targets may be
      // missing from the fixture, so only contract syntax errors (file:line) count here.
      const r = runLib(sb, "claw_load_conf; claw_render validate");
      const contractErrors = r.stderr.split("\n").filter((l) => l.startsWith(`clawlab: ${sb.contract}:`));
      expect(contractErrors, name).toEqual([]);
    }
  });
});
