/**
 * Test harness for the shared entrypoint library (runtimes/shared/): runs the REAL
 * POSIX-sh library and awk program on the host, in temp dirs, with the override
 * variables CLAW_RUNTIME_CONF / CLAW_CONTRACT / CLAW_LIB_DIR / CLAW_AWK. No docker.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseToml } from "smol-toml";
import * as YAML from "yaml";

export const REPO = path.resolve(__dirname, "../..");
export const LIB_DIR = path.join(REPO, "runtimes/shared");
export const LIB = path.join(LIB_DIR, "clawlab-entrypoint.sh");
export const FIXTURES = path.join(__dirname, "fixtures/patcher");

export type Format = "toml" | "json" | "yaml" | "dotenv";
export const FORMATS: readonly Format[] = ["toml", "json", "yaml", "dotenv"];
const EXT: Record<Format, string> = { toml: "toml", json: "json", yaml: "yaml", dotenv: "env" };

/** The uid/gid the fixture runtime runs as (like the images' runtime users). */
export const RUNTIME_UID = 10001;

/** True when `cmd` is on PATH. */
export function have(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** The awks to test with: mawk (Debian's awk) and gawk, whichever are installed. */
export const AWKS: readonly string[] = (() => {
  const found = ["mawk", "gawk"].filter(have);
  return found.length > 0 ? found : ["awk"];
})();

/** The shells to test with: dash (Debian's /bin/sh) and busybox sh when installed. */
export const SHELLS: readonly { name: string; argv: readonly string[] }[] = [
  ...(have("dash") ? [{ name: "dash", argv: ["dash"] }] : [{ name: "sh", argv: ["sh"] }]),
  ...(have("busybox") ? [{ name: "busybox sh", argv: ["busybox", "sh"] }] : []),
];

export const IS_ROOT = typeof process.getuid === "function" && process.getuid() === 0;
export const HAVE_SETPRIV = have("setpriv");

/** One test sandbox: a temp dir with runtime.conf, the contract, the baked config and a state dir. */
export interface Sandbox {
  readonly dir: string;
  readonly format: Format;
  readonly stateDir: string;
  readonly configPath: string;
  readonly conf: string;
  readonly contract: string;
  readonly baked: string;
}

const made: string[] = [];

/** Removes every sandbox made so far (call from afterAll). */
export function cleanupSandboxes(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The fixture contract of a format. */
export function fixtureContract(format: Format): string {
  return fs.readFileSync(path.join(FIXTURES, format === "dotenv" ? "env-dotenv.contract" : "env.contract"), "utf8");
}

/** The fixture baked config of a format. */
export function fixtureBaked(format: Format): string {
  return fs.readFileSync(path.join(FIXTURES, `baked.${EXT[format]}`), "utf8");
}

/** Makes a sandbox for `format`, with the fixture baked config and contract unless given. */
export function sandbox(format: Format, opts: { baked?: string | Buffer; contract?: string } = {}): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-patcher-"));
  made.push(dir);
  fs.chmodSync(dir, 0o755); // the runtime user must reach the fixture files
  const stateDir = path.join(dir, "state");
  fs.mkdirSync(stateDir);
  const baked = path.join(dir, `baked.${EXT[format]}`);
  fs.writeFileSync(baked, opts.baked ?? fixtureBaked(format));
  const contract = path.join(dir, "env.contract");
  fs.writeFileSync(contract, opts.contract ?? fixtureContract(format));
  const configPath = path.join(stateDir, `config.${EXT[format]}`);
  const conf = path.join(dir, "runtime.conf");
  fs.writeFileSync(
    conf,
    [
      "# test runtime.conf",
      "CLAW_RUNTIME='fixture'",
      "CLAW_USER='fixture'",
      `CLAW_UID='${RUNTIME_UID}'`,
      `CLAW_STATE_DIR='${stateDir}'`,
      `CLAW_CONFIG_FORMAT='${format}'`,
      `CLAW_CONFIG_BAKED='${baked}'`,
      `CLAW_CONFIG_PATH='${configPath}'`,
      "CLAW_PORT='42617'",
      "CLAW_HEALTH_PATH='/health'",
      `CLAW_HEALTH_BODY='"status":"ok"'`,
      "",
    ].join("\n"),
  );
  return { dir, format, stateDir, configPath, conf, contract, baked };
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number;
}

export interface RunOptions {
  /** argv of the shell, default dash. */
  readonly shell?: readonly string[];
  /** awk command, default the first of AWKS. */
  readonly awk?: string;
  /** Extra environment on top of the minimal one. */
  readonly env?: Record<string, string>;
}

/** The minimal environment of every run: PATH and the library's override variables. */
export function baseEnv(sb: Sandbox, awk?: string): Record<string, string> {
  return {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    CLAW_RUNTIME_CONF: sb.conf,
    CLAW_CONTRACT: sb.contract,
    CLAW_LIB_DIR: LIB_DIR,
    CLAW_AWK: awk ?? AWKS[0]!,
  };
}

/** Runs `script` in a shell that has sourced the library. */
export function runLib(sb: Sandbox, script: string, opts: RunOptions = {}): RunResult {
  const shell = opts.shell ?? SHELLS[0]!.argv;
  const r = spawnSync(shell[0]!, [...shell.slice(1), "-c", `. "$CLAW_LIB_DIR/clawlab-entrypoint.sh"\n${script}`], {
    env: { ...baseEnv(sb, opts.awk), ...opts.env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, pid: r.pid ?? 0 };
}

/** Renders like a start does (conf, secrets from files, validation, atomic write); returns the run and the file. */
export function render(sb: Sandbox, env: Record<string, string>, opts: Omit<RunOptions, "env"> = {}) {
  const run = runLib(sb, "claw_load_conf\nclaw_setup_env\nclaw_render render", { ...opts, env });
  const text = fs.existsSync(sb.configPath) ? fs.readFileSync(sb.configPath, "utf8") : undefined;
  return { run, text };
}

/** Runs `claw_main ARGS` with the given default command (what a runtime's entrypoint.sh does). */
export function main(sb: Sandbox, args: readonly string[], env: Record<string, string>, opts: Omit<RunOptions, "env"> = {}) {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  return runLib(sb, `CLAW_COMMAND='fixtureclaw serve'\nclaw_main ${quoted}`, { ...opts, env });
}

/**
 * Writes a runtime's entrypoint.sh exactly as the images do (sources the library, sets
 * CLAW_COMMAND, calls claw_main) plus a fake runtime that reports what it got.
 */
export function writeEntrypoint(sb: Sandbox, prelude = ""): { entrypoint: string; fake: string } {
  const fake = path.join(sb.dir, "fakeclaw");
  fs.writeFileSync(
    fake,
    [
      "#!/bin/sh",
      'echo "PID $$"',
      'echo "ARGS $*"',
      'echo "IDS $(id -u) $(id -g) [$(id -G)]"',
      "grep -E '^Cap(Inh|Prm|Eff|Amb):' /proc/self/status",
      'echo "HOME $HOME"',
      "awk 'BEGIN { for (k in ENVIRON) print \"ENV \" k }'",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  const entrypoint = path.join(sb.dir, "entrypoint.sh");
  fs.writeFileSync(
    entrypoint,
    [
      "#!/bin/sh",
      "# The fixture runtime's entrypoint: what runtimes/<name>/entrypoint.sh looks like.",
      "set -eu",
      prelude,
      `. "${LIB}"`,
      `CLAW_COMMAND='${fake} serve'`,
      'claw_main "$@"',
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  return { entrypoint, fake };
}

/** Runs a command (argv) with the sandbox's environment. */
export function runCmd(sb: Sandbox, argv: readonly string[], env: Record<string, string> = {}, awk?: string): RunResult {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    env: { ...baseEnv(sb, awk), ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, pid: r.pid ?? 0 };
}

/** True when python3 with PyYAML's libyaml binding (CSafeLoader) is available. */
export const HAVE_LIBYAML =
  spawnSync("python3", ["-c", "import yaml; yaml.CSafeLoader"], { stdio: "ignore" }).status === 0;

/**
 * Parses YAML texts with libyaml (through PyYAML's CSafeLoader), all in one python process:
 * a YAML 1.1 parser of the family MicroClaw's serde_yaml belongs to, stricter than npm
 * `yaml` about NEL/LS/PS (line breaks in 1.1) and C1 controls (not printable).
 * Each result is the document, or `{ libyamlError }`.
 */
export function parseLibyamlMany(texts: readonly string[]): unknown[] {
  const script = [
    "import sys, json, yaml",
    "out = []",
    "for t in json.load(sys.stdin):",
    "    try: out.append(yaml.load(t.encode('utf-8'), Loader=yaml.CSafeLoader))",
    "    except Exception as e: out.append({'libyamlError': str(e)})",
    "print(json.dumps(out, ensure_ascii=False))",
  ].join("\n");
  const r = spawnSync("python3", ["-c", script], {
    input: JSON.stringify(texts),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`libyaml: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown[];
}

/**
 * Characters that must never appear raw in a rendered file of `format` (they may only
 * come from the baked file's own text, which has none): controls everywhere; for JSON
 * also LS/PS (JSON5/JS); for YAML also C1, NEL/LS/PS (YAML 1.1 line breaks), BOM, U+FFFE/F.
 */
export const RAW_HAZARDS: Record<Format, RegExp> = {
  toml: /[\u0000-\u0008\u000a-\u001f\u007f]/,
  json: /[\u0000-\u0009\u000b-\u001f\u007f\u2028\u2029]/,
  yaml: /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/,
  // The .env reader has no escapes: any byte but a line break is carried verbatim.
  dotenv: /\r/,
};

/**
 * A .env value as NanoClaw's `readEnvFile` (src/env.ts) reads it: trimmed, then one pair
 * of matching outer quotes stripped; no escapes.
 */
function dotenvValue(raw: string): string {
  const v = raw.trim();
  return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0] ? v.slice(1, -1) : v;
}

/** Parses a config text with the real parser of its format (YAML: 1.2 core, or 1.1). */
export function parseConfig(format: Format, text: string, yamlVersion: "1.1" | "1.2" = "1.2"): unknown {
  switch (format) {
    case "toml":
      return parseToml(text);
    case "json":
      return JSON.parse(text);
    case "yaml": {
      const doc = YAML.parseDocument(text, {
        version: yamlVersion,
        ...(yamlVersion === "1.2" ? { schema: "core" } : {}),
        uniqueKeys: true,
        strict: true,
      });
      if (doc.errors.length > 0) throw doc.errors[0];
      if (doc.warnings.length > 0) throw doc.warnings[0];
      return doc.toJS();
    }
    case "dotenv": {
      const out: Record<string, string> = {};
      // The reader's rules: split on LF, trim, skip blanks and `#` lines, key before the first `=`.
      for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) continue;
        const eq = line.indexOf("=");
        if (eq < 0) throw new Error(`not a dotenv line: ${line.slice(0, 80)}`);
        const key = line.slice(0, eq).trim();
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`bad dotenv key: ${key.slice(0, 80)}`);
        if (key in out) throw new Error(`duplicate key ${key}`);
        out[key] = dotenvValue(line.slice(eq + 1));
      }
      return out;
    }
  }
}

/** Sets `value` at a dotted `keyPath` of a parsed document (numeric segments index arrays). */
export function setPath(doc: unknown, keyPath: string, value: unknown): void {
  const segs = keyPath.split(".");
  let cur = doc as Record<string, unknown>;
  for (const seg of segs.slice(0, -1)) {
    const next = cur[seg];
    if (typeof next !== "object" || next === null) throw new Error(`no ${seg} in ${keyPath}`);
    cur = next as Record<string, unknown>;
  }
  const last = segs[segs.length - 1]!;
  if (!(last in cur)) throw new Error(`no ${keyPath}`);
  cur[last] = value;
}

/** Reads a value at a dotted key path. */
export function getPath(doc: unknown, keyPath: string): unknown {
  let cur = doc as Record<string, unknown>;
  for (const seg of keyPath.split(".")) cur = cur[seg] as Record<string, unknown>;
  return cur;
}

/** The contract entries of a fixture: name → target. */
export function contractTargets(contract: string): Map<string, { type: string; secret: boolean; target: string }> {
  const out = new Map<string, { type: string; secret: boolean; target: string }>();
  for (const line of contract.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const [name, type, secret, target] = line.split("\t");
    out.set(name!, { type: type!, secret: secret === "secret", target: target! });
  }
  return out;
}

/** The UTF-8 byte length of a string. */
export function bytes(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Cuts `s` to at most `max` UTF-8 bytes on a code point boundary. */
export function cutBytes(s: string, max: number): string {
  let out = "";
  let n = 0;
  for (const ch of s) {
    const b = bytes(ch);
    if (n + b > max) break;
    out += ch;
    n += b;
  }
  return out;
}
