/**
 * The `clawlab` command, black-box: the real CLI run as a subprocess (`node cli/clawlab.js`)
 * against the example config and variants of it, with a stand-in `pulumi` on PATH where
 * `{ secret }` values are read. Its dotenv output is read back with a strict parser that
 * accepts only what Docker Compose's parser reads the same way.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { parse, stringify } from "smol-toml";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { quoteValue, renderDotenv } from "../../cli/dotenv";
import { declarations } from "../../runtimes";
import { EXAMPLE_SECRETS, evaluate, generatedMarkers, unwrap } from "../program/harness";

const ROOT = path.join(__dirname, "../..");
const CLI = path.join(ROOT, "cli", "clawlab.js");
const EXAMPLE = path.join(ROOT, "clawlab.example.toml");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-cli-"));
/** A PATH with node on it and nothing else (so no pulumi, wherever this runs). */
const NODE_ONLY_PATH = fs.mkdtempSync(path.join(TMP, "node-only-"));
fs.symlinkSync(process.execPath, path.join(NODE_ONLY_PATH, "node"));

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI with exactly this environment (plus a PATH without pulumi unless given). */
function clawlab(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: TMP, env: { PATH: NODE_ONLY_PATH, HOME: TMP, ...env }, encoding: "utf8" },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

let fileCount = 0;
/** Writes a variant of the example config to a temp file and returns its path. */
function variant(mutate: (doc: Record<string, any>) => void): string {
  const doc = parse(fs.readFileSync(EXAMPLE, "utf8")) as Record<string, any>;
  mutate(doc);
  const file = path.join(TMP, `variant-${++fileCount}.toml`);
  fs.writeFileSync(file, stringify(doc));
  return file;
}

/**
 * Reads a dotenv file as Docker Compose does, for the subset the CLI writes: comments,
 * blank lines, and `NAME="value"` with `\\ \" \$ \n \r` escapes. Anything else — an
 * unescaped `$` (an interpolation), a bare line break, an unknown escape — is an error.
 */
function parseDotenv(text: string): Record<string, string> {
  const escapes: Record<string, string> = { "\\": "\\", '"': '"', $: "$", n: "\n", r: "\r" };
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\$\r]|\\.)*)"$/.exec(line);
    if (!match) throw new Error(`not a dotenv line: ${JSON.stringify(line)}`);
    if (match[1]! in out) throw new Error(`duplicate variable ${match[1]}`);
    out[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => {
      if (!(c in escapes)) throw new Error(`unknown escape \\${c} in ${JSON.stringify(line)}`);
      return escapes[c]!;
    });
  }
  return out;
}

/** The `# NAME=` slots of variables left unset. */
const unsetSlots = (text: string) => [...text.matchAll(/^# ([A-Za-z_][A-Za-z0-9_]*)=$/gm)].map((m) => m[1]!);

/**
 * A stand-in `pulumi` CLI: `pulumi config get KEY [--stack S]` prints the example's secret
 * for KEY (exit 1 for an unknown key, as the real one does) and logs its arguments.
 */
function fakePulumi(secrets: Record<string, string>): { path: string; log: string } {
  const dir = fs.mkdtempSync(path.join(TMP, "bin-"));
  const log = path.join(dir, "calls.log");
  const values = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k.replace(/^clawlab:/, ""), v]));
  const script = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + "\\n");
const values = ${JSON.stringify(values)};
if (args[0] !== "config" || args[1] !== "get") process.exit(2);
if (!(args[2] in values)) { process.stderr.write("error: configuration key '" + args[2] + "' not found for stack 'dev'\\n"); process.exit(1); }
process.stdout.write(values[args[2]] + "\\n");
`;
  fs.writeFileSync(path.join(dir, "pulumi"), script, { mode: 0o755 });
  return { path: `${dir}:${NODE_ONLY_PATH}`, log };
}

describe("clawlab check", () => {
  it("summarises the example's seven runtimes, one row each, and the secrets to set", async () => {
    const run = await clawlab(["check", "--config", EXAMPLE]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const example = parse(fs.readFileSync(EXAMPLE, "utf8")) as any;
    const lines = run.stdout.split("\n");
    for (const decl of declarations) {
      const { version, port } = example.runtimes[decl.name];
      const row = lines.filter((l) => l.startsWith(`${decl.name} `));
      expect(row, decl.name).toHaveLength(1);
      expect(row[0]).toContain(` ${version} `);
      expect(row[0]).toContain(` ghcr.io/codervisor/${decl.name}:${version} `);
      expect(row[0]).toContain(` local:${port} `);
      expect(row[0]).toContain("unix:///var/run/docker.sock");
    }
    expect(run.stdout).toMatch(/^zeroclaw .*team-telegram \(telegram\) +claude \(anthropic\) +claude-sonnet-4-5/m);
    // Aligned: every runtime row starts its IMAGE column where the header does.
    const header = lines.find((l) => l.startsWith("RUNTIME"))!;
    for (const decl of declarations) expect(lines.find((l) => l.startsWith(`${decl.name} `))!.indexOf("ghcr.io")).toBe(header.indexOf("IMAGE"));
    for (const key of ["anthropicApiKey", "openaiApiKey", "telegramBotToken", "opsTelegramBotToken", "discordBotToken"]) {
      expect(run.stdout).toMatch(new RegExp(`^ +${key} +pulumi config +\\S`, "m"));
    }
    expect(run.stdout).toMatch(/^ +anthropicApiKey +pulumi config +providers\.claude\.api_key$/m);
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("lab: 7 runtimes, 0 devices, 1 host; 6 secrets to provide");
  });

  it("lists environment references and devices, and skips disabled runtimes", async () => {
    const file = variant((d) => {
      d.providers.claude.api_key = { env: "CLAUDE_KEY" };
      d.runtimes.nullclaw.enabled = false;
      d.devices = {
        desk: {
          type: "mimiclaw",
          firmware_version: "v0.3.1",
          serial_port: "/dev/ttyACM0",
          wifi_ssid: { env: "WIFI_SSID" },
          wifi_password: { secret: "wifiPassword" },
          provider: "gpt",
          model: "gpt-5-mini",
          address: "192.168.1.50:18789",
        },
      };
    });
    const run = await clawlab(["check", "--config", file]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ +CLAUDE_KEY +environment +providers\.claude\.api_key$/m);
    expect(run.stdout).toMatch(/^ +WIFI_SSID +environment +devices\.desk\.wifi_ssid$/m);
    expect(run.stdout).toMatch(/^ +wifiPassword +pulumi config +devices\.desk\.wifi_password$/m);
    expect(run.stdout).toMatch(/^desk +mimiclaw +v0\.3\.1 +\/dev\/ttyACM0 +192\.168\.1\.50:18789/m);
    expect(run.stdout).not.toMatch(/^nullclaw /m);
    expect(run.stdout).toContain("lab: 6 runtimes, 1 device, 1 host; 8 secrets to provide");
  });

  const bad: [string, () => string, string][] = [
    ["a bad port", () => variant((d) => (d.runtimes.picoclaw.port = 70000)), "runtimes.picoclaw.port: must be 1-65535"],
    ["an unknown key", () => variant((d) => (d.runtimes.zeroclaw.modle = "x")), "runtimes.zeroclaw.modle: unknown key"],
    ["an unknown runtime", () => variant((d) => (d.runtimes.megaclaw = { provider: "claude", model: "m" })), "runtimes.megaclaw: unknown runtime"],
    ["an undefined provider", () => variant((d) => (d.runtimes.zeroclaw.provider = "nope")), 'runtimes.zeroclaw.provider: no provider "nope"'],
    ["an undefined channel", () => variant((d) => (d.runtimes.zeroclaw.channels = ["nope"])), 'runtimes.zeroclaw.channels.0: no channel "nope"'],
    [
      "a channel used twice",
      () => variant((d) => (d.runtimes.microclaw.channels = ["team-telegram"])),
      'runtimes.microclaw.channels.0: channel "team-telegram" is already used by zeroclaw',
    ],
    ["a port clash", () => variant((d) => (d.runtimes.nullclaw.port = 42617)), 'runtimes.nullclaw.port: 42617 on host "local" is already taken by zeroclaw'],
    ["an unknown channel type", () => variant((d) => (d.channels["team-telegram"].type = "irc")), "channels.team-telegram.type"],
    [
      "a channel type the runtime does not support",
      () =>
        variant((d) => {
          d.runtimes.openclaw.channels = ["lab-discord"];
          d.runtimes.picoclaw.channels = [];
        }),
      "runtimes.openclaw.channels.0: openclaw does not support discord channels",
    ],
    ["a bad version", () => variant((d) => (d.runtimes.zeroclaw.version = "latest")), "runtimes.zeroclaw.version: must be a pinned release tag"],
    ["a TOML syntax error", () => ((f) => (fs.writeFileSync(f, '[fleet]\nname = "lab"\nregistry =\n'), f))(path.join(TMP, "syntax.toml")), "TOML syntax error at line 3"],
    ["a missing file", () => path.join(TMP, "nonexistent.toml"), "file not found"],
  ];
  it.concurrent.each(bad)("%s: exits 1, nothing on stdout, the path on stderr", async (_, file, expected) => {
    const config = file();
    const run = await clawlab(["check", "--config", config]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(expected);
    expect(run.stderr.startsWith(`${config}: `)).toBe(true);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("reads clawlab.toml in the current directory by default", async () => {
    const run = await clawlab(["check"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("clawlab.toml: 1 problem\n  file not found\n");
  });
});

describe("clawlab env", () => {
  it("prints the runtime's translated environment, sorted, with every secret masked", async () => {
    const run = await clawlab(["env", "zeroclaw", "--config", EXAMPLE]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^# clawlab env zeroclaw: .*v0\.8\.4.* from .*clawlab\.example\.toml\n/);
    const env = parseDotenv(run.stdout);
    expect(env).toEqual({
      ZEROCLAW_agents__main__channels: "telegram.team_telegram",
      ZEROCLAW_agents__main__model_provider: "anthropic.claude",
      ZEROCLAW_agents__main__risk_profile: "default",
      ZEROCLAW_channels__telegram__team_telegram__bot_token: "***",
      ZEROCLAW_channels__telegram__team_telegram__enabled: "true",
      ZEROCLAW_gateway__paired_tokens: "***",
      ZEROCLAW_gateway__require_pairing: "true",
      ZEROCLAW_peer_groups__team_telegram__agents: "main",
      ZEROCLAW_peer_groups__team_telegram__channel: "telegram.team_telegram",
      ZEROCLAW_peer_groups__team_telegram__external_peers: "123456789",
      ZEROCLAW_providers__models__anthropic__claude__api_key: "***",
      ZEROCLAW_providers__models__anthropic__claude__model: "claude-sonnet-4-5",
    });
    expect(Object.keys(env)).toEqual(Object.keys(env).sort());
    // Each masked value says where it comes from.
    expect(run.stdout).toContain('# <providers.claude.api_key>: { secret = "anthropicApiKey" }\nZEROCLAW_providers__models__anthropic__claude__api_key="***"\n');
    expect(run.stdout).toMatch(/# zc_<tokens\.zeroclaw\.gatewayToken>: generated by the stack; read it with: pulumi stack output --show-secrets tokens\nZEROCLAW_gateway__paired_tokens="\*\*\*"\n/);
  });

  it("shows { env } references from the environment with --show-secrets, and leaves generated values unset", async () => {
    const file = variant((d) => {
      d.providers.claude.api_key = { env: "CLAUDE_KEY" };
      d.channels["team-telegram"].bot_token = { env: "TEAM_TG_TOKEN" };
    });
    const run = await clawlab(["env", "zeroclaw", "--config", file, "--show-secrets"], { CLAUDE_KEY: "sk-ant-from-env", TEAM_TG_TOKEN: "123:tg-from-env" });
    expect(run.status).toBe(0);
    const env = parseDotenv(run.stdout);
    expect(env.ZEROCLAW_providers__models__anthropic__claude__api_key).toBe("sk-ant-from-env");
    expect(env.ZEROCLAW_channels__telegram__team_telegram__bot_token).toBe("123:tg-from-env");
    expect(env.ZEROCLAW_gateway__paired_tokens).toBeUndefined();
    expect(unsetSlots(run.stdout)).toEqual(["ZEROCLAW_gateway__paired_tokens"]);
    expect(run.stdout).not.toContain("***");
    expect(run.stderr).toBe("clawlab: note: 1 value only a stack knows is left unset: ZEROCLAW_gateway__paired_tokens\n");
  });

  it("round-trips a hostile value: quotes, backslashes, $, backticks, line breaks, #", async () => {
    const hostile = `a"b'c\\d$HOME \${PATH} $(id) \`id\` # not a comment\nNEXT="x"\r\n\\n\\ \t end \\`;
    const file = variant((d) => (d.providers.claude.api_key = { env: "HOSTILE" }));
    const run = await clawlab(["env", "microclaw", "--config", file, "--show-secrets"], { HOSTILE: hostile });
    expect(run.status).toBe(0);
    const env = parseDotenv(run.stdout);
    expect(env.CLAW_API_KEY).toBe(hostile);
    expect(env.CLAW_MODEL).toBe("claude-sonnet-4-5");
    // One line per variable: the value never breaks out of its line.
    expect(run.stdout.split("\n").filter((l) => !l.startsWith("#") && l !== "")).toHaveLength(Object.keys(env).length);
  });

  it("reads { secret } references with `pulumi config get`, once per key, from the stack given", async () => {
    const pulumi = fakePulumi(EXAMPLE_SECRETS);
    const run = await clawlab(["env", "picoclaw", "--config", EXAMPLE, "--show-secrets", "--stack", "dev"], { PATH: pulumi.path });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const env = parseDotenv(run.stdout);
    expect(env.CLAW_API_KEY).toBe(EXAMPLE_SECRETS["clawlab:openaiApiKey"]);
    expect(env.PICOCLAW_CHANNELS_DISCORD_TOKEN).toBe(EXAMPLE_SECRETS["clawlab:discordBotToken"]);
    const calls = fs.readFileSync(pulumi.log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(calls.sort()).toEqual([
      ["config", "get", "discordBotToken", "--stack", "dev"],
      ["config", "get", "openaiApiKey", "--stack", "dev"],
    ]);
  });

  it("names every secret it cannot read, and prints nothing", async () => {
    const noCli = await clawlab(["env", "zeroclaw", "--config", EXAMPLE, "--show-secrets"]);
    expect(noCli.status).toBe(1);
    expect(noCli.stdout).toBe("");
    expect(noCli.stderr).toContain(`${EXAMPLE}: 2 problems`);
    expect(noCli.stderr).toMatch(/providers\.claude\.api_key: \{ secret = "anthropicApiKey" \} is read with `pulumi config get anthropicApiKey`, but the pulumi CLI is not on PATH/);
    expect(noCli.stderr).toContain("channels.team-telegram.bot_token:");

    const { "clawlab:telegramBotToken": _, ...partial } = EXAMPLE_SECRETS;
    const notSet = await clawlab(["env", "zeroclaw", "--config", EXAMPLE, "--show-secrets"], { PATH: fakePulumi(partial).path });
    expect(notSet.status).toBe(1);
    expect(notSet.stdout).toBe("");
    expect(notSet.stderr).toContain(
      "channels.team-telegram.bot_token: `pulumi config get telegramBotToken` failed: error: configuration key 'telegramBotToken' not found for stack 'dev' (set it with: pulumi config set --secret telegramBotToken, which prompts for the value)",
    );
    expect(notSet.stderr).not.toContain("providers.claude.api_key");

    const file = variant((d) => (d.providers.claude.api_key = { env: "UNSET_KEY" }));
    const noEnv = await clawlab(["env", "microclaw", "--config", file, "--show-secrets"], { UNSET_KEY: "" });
    expect(noEnv.status).toBe(1);
    expect(noEnv.stdout).toBe("");
    expect(noEnv.stderr).toContain("providers.claude.api_key: environment variable UNSET_KEY is not set or empty");
  });

  it("refuses an unknown or disabled runtime, naming it", async () => {
    const unknown = await clawlab(["env", "megaclaw", "--config", EXAMPLE]);
    expect(unknown).toMatchObject({ status: 1, stdout: "" });
    expect(unknown.stderr).toMatch(/^clawlab: unknown runtime "megaclaw"; known: zeroclaw, openclaw/);
    const disabled = await clawlab(["env", "nullclaw", "--config", variant((d) => (d.runtimes.nullclaw.enabled = false))]);
    expect(disabled).toMatchObject({ status: 1, stdout: "" });
    expect(disabled.stderr).toMatch(/^clawlab: runtime nullclaw is not enabled in ".*" \(enabled: zeroclaw, openclaw, picoclaw, nanoclaw, ironclaw, microclaw\)\n$/);
  });

  it("checks the config first, like check", async () => {
    const run = await clawlab(["env", "zeroclaw", "--config", variant((d) => (d.runtimes.picoclaw.port = 0))]);
    expect(run).toMatchObject({ status: 1, stdout: "" });
    expect(run.stderr).toContain("runtimes.picoclaw.port: must be 1-65535");
  });
});

describe("the CLI's environment is the program's", () => {
  /** The container env the program gives each runtime, under mocks. */
  let program: Record<string, Record<string, string>>;
  /** Values only the stack generates. */
  let markers: string[];
  beforeAll(async () => {
    vi.resetModules();
    const result = await evaluate(
      { "clawlab:configFile": EXAMPLE, "clawlab:localRegistry": "true", ...EXAMPLE_SECRETS },
      Object.keys(EXAMPLE_SECRETS),
      () => import("../../index"),
    );
    markers = generatedMarkers(result);
    program = {};
    for (const container of result.resources.filter((r) => r.type === "docker:index/container:Container")) {
      const inputs = unwrap(container.inputs);
      const runtime = declarations.find((d) => inputs.name === `lab-${d.name}`);
      if (!runtime) continue;
      program[runtime.name] = Object.fromEntries((inputs.envs as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    }
  });

  it.concurrent.each(declarations.map((d) => d.name))("%s: same variables and values; generated ones left unset", async (runtime) => {
    const run = await clawlab(["env", runtime, "--config", EXAMPLE, "--show-secrets"], { PATH: fakePulumi(EXAMPLE_SECRETS).path });
    expect(run.status).toBe(0);
    const cli = parseDotenv(run.stdout);
    const expected = program[runtime]!;
    const generated = Object.keys(expected).filter((name) => markers.some((m) => expected[name]!.includes(m))).sort();
    expect(unsetSlots(run.stdout).sort()).toEqual(generated);
    expect(cli).toEqual(Object.fromEntries(Object.entries(expected).filter(([name]) => !generated.includes(name))));
  });
});

describe("usage", () => {
  it("--help prints the usage on stdout", async () => {
    const run = await clawlab(["--help"]);
    expect(run).toMatchObject({ status: 0, stderr: "" });
    expect(run.stdout).toMatch(/^Usage: clawlab <command>/);
    expect(run.stdout).toContain("env RUNTIME");
  });

  const misuse: [string[], string][] = [
    [[], "clawlab: no command given"],
    [["deploy"], 'clawlab: unknown command "deploy"'],
    [["check", "--bogus"], "clawlab: Unknown option '--bogus'"],
    [["check", "--show-secrets"], "clawlab: Unknown option '--show-secrets'"],
    [["check", "extra"], 'clawlab: check takes no arguments (got "extra")'],
    [["env"], "clawlab: env needs a runtime"],
    [["env", "zeroclaw", "picoclaw"], 'clawlab: env takes one runtime (got "zeroclaw" "picoclaw")'],
    [["env", "zeroclaw", "--config"], "clawlab: Option '--config <value>' argument missing"],
  ];
  it.concurrent.each(misuse)("%j: usage on stderr, exit 2", async (args, message) => {
    const run = await clawlab(args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.startsWith(message)).toBe(true);
    expect(run.stderr).toContain("Usage: clawlab <command>");
  });
});

describe("dotenv quoting (in process)", () => {
  it("reads back any string without NUL as itself, one line per variable", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }).map((s) => s.replace(/\0/g, "")), (value) => {
        const text = renderDotenv([], [{ name: "V", value }]);
        expect(text.split("\n")).toHaveLength(2);
        expect(parseDotenv(text)).toEqual({ V: value });
      }),
      { numRuns: 500 },
    );
  });

  it("refuses what an environment cannot carry", () => {
    expect(() => quoteValue("a\0b")).toThrow(/NUL/);
    expect(() => renderDotenv([], [{ name: "BAD-NAME", value: "x" }])).toThrow(/not an environment variable name/);
    expect(renderDotenv(["a\nb"], [])).toBe("# a\\nb\n");
  });
});
