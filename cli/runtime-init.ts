/**
 * `clawlab runtime init <name> [--root DIR] [--format FORMAT]`: scaffolds `runtimes/<name>/`
 * (cli/runtime-init-files.ts), registers the runtime where the code lists runtimes
 * (RUNTIME_NAMES in runtimes/types.ts, runtimes/index.ts, tests/images/options.ts) and runs
 * the repository's own generator, so that the Dockerfile and the contract files appear.
 *
 * All or nothing: every check runs before anything is written; the folder is written
 * under a temp name inside runtimes/ and renamed into place; when a later step fails
 * (an edit, the generator) everything written is taken back.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_FORMATS, type ConfigFormat, type ScaffoldFacts, imageTest, scaffoldFiles, translatorName } from "./runtime-init-files";

/** A refusal or failure of `runtime init`: nothing was written (or it was all taken back). */
export class RuntimeInitError extends Error {
  constructor(
    message: string,
    /** 1: the name, the root or the repository's state; 2: a usage error. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/**
 * Names a runtime cannot take, and why: the shared library's folder, MimiClaw (firmware,
 * not a container), the modules and identifiers of runtimes/ (the scaffold imports the
 * declaration under its name), and the accounts of the Debian base image (the image
 * creates a user and a group of the runtime's name).
 */
const RESERVED = new Set([
  "shared",
  "mimiclaw",
  ...["contract-files", "dockerfile", "generate", "image", "index", "translate-helpers", "types", "declaration", "declarations", "translators"],
  ...["adm", "audio", "backup", "bin", "cdrom", "daemon", "dialout", "dip", "disk", "fax", "floppy", "games", "irc", "kmem", "list", "lp"],
  ...["mail", "man", "news", "nobody", "nogroup", "operator", "plugdev", "proxy", "root", "sasl", "shadow", "src", "staff", "sudo", "sync"],
  ...["sys", "tape", "tty", "users", "utmp", "uucp", "video", "voice", "www-data"],
]);

/** JavaScript's reserved words: the declaration's identifier must not be one. */
const JS_RESERVED = new Set(
  (
    "await break case catch class const continue debugger default delete do else enum export extends false finally for function " +
    "if implements import in instanceof interface let new null package private protected public return static super switch this " +
    "throw true try typeof var void while with yield"
  ).split(" "),
);

/** The uid of the first runtime user when none is declared (the fleet's range starts here). */
const FIRST_UID = 10001;
/** Where the search for a free port starts. */
const FIRST_PORT = 8080;

/** `my-claw` → `myClaw`. */
function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Why `name` cannot be a runtime's name, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  // A DNS label starting with a letter (it is also an identifier, an env prefix and a
  // user name), at most 32 characters: useradd's limit for the runtime user.
  if (!/^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(name) || name.length > 32) {
    return 'must be a lower-case DNS label: a-z, 0-9 and "-", starting with a letter, not ending with "-", at most 32 characters';
  }
  if (RESERVED.has(name) || name.startsWith("clawlab") || JS_RESERVED.has(camel(name))) return "is a reserved word";
  return undefined;
}

/** Numbers after `key:` in every declaration.ts of the root (uids, ports). */
function declaredNumbers(runtimesDir: string, pattern: RegExp): number[] {
  return fs
    .readdirSync(runtimesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(runtimesDir, e.name, "declaration.ts")))
    .flatMap((e) => [...fs.readFileSync(path.join(runtimesDir, e.name, "declaration.ts"), "utf8").matchAll(pattern)].map((m) => Number(m[1])));
}

/** One source edit, checked before anything is written. */
interface Edit {
  readonly file: string;
  readonly before: string;
  readonly after: string;
}

/** Replaces the one match of `anchor` in `file`'s text, or refuses naming what was not found. */
function edit(root: string, rel: string, text: string, anchor: RegExp, replace: (m: RegExpExecArray) => string, what: string): string {
  const m = anchor.exec(text);
  if (!m) throw new RuntimeInitError(`${path.join(root, rel)}: ${what} not found where runtime init expects it; register the runtime by hand`);
  return text.slice(0, m.index) + replace(m) + text.slice(m.index + m[0].length);
}

/** A quoted object key where the name is not an identifier (`"my-claw": …`). */
function key(name: string): string {
  return name.includes("-") ? JSON.stringify(name) : name;
}

/** The registration edits: RUNTIME_NAMES, the declarations and translators, the image options. */
function registrations(root: string, f: ScaffoldFacts): Edit[] {
  const read = (rel: string) => fs.readFileSync(path.join(root, rel), "utf8");
  const edits: Edit[] = [];
  const types = read("runtimes/types.ts");
  if (new RegExp(`^ {2}"${f.name}",$`, "m").test(types)) throw new RuntimeInitError(`runtime "${f.name}" exists already (in RUNTIME_NAMES, runtimes/types.ts)`);
  const names = edit(root, "runtimes/types.ts", types, /(export const RUNTIME_NAMES = \[\n(?: {2}"[a-z0-9-]+",\n)*)(\] as const;)/, (m) => `${m[1]}  "${f.name}",\n${m[2]}`, "the RUNTIME_NAMES list");
  edits.push({ file: "runtimes/types.ts", before: types, after: names });

  const index = read("runtimes/index.ts");
  const imports = [`import { ${f.ident} } from "./${f.name}/declaration";`, `import { ${translatorName(f)} } from "./${f.name}/translate";`];
  // Into the sorted block of relative imports, by module path.
  let next = edit(root, "runtimes/index.ts", index, /(?:^import .* from "\.\/.*";\n)+/m, (m) => `${[...m[0].trimEnd().split("\n"), ...imports].sort((a, b) => modulePath(a).localeCompare(modulePath(b))).join("\n")}\n`, "the block of runtime imports");
  next = edit(root, "runtimes/index.ts", next, /(export const declarations: readonly RuntimeDeclaration\[\] = \[[^\]]*)(\];)/, (m) => `${m[1]}, ${f.ident}${m[2]}`, "the declarations list");
  next = edit(root, "runtimes/index.ts", next, /(export const translators: [^=]+= \{\n(?: {2}.*\n)*)(\};)/, (m) => `${m[1]}  ${key(f.name)}: ${translatorName(f)},\n${m[2]}`, "the translators record");
  edits.push({ file: "runtimes/index.ts", before: index, after: next });

  // The image tests' per-runtime options (the benchmark covers the runtimes listed there).
  const optionsFile = "tests/images/options.ts";
  if (fs.existsSync(path.join(root, optionsFile))) {
    const options = read(optionsFile);
    const added = edit(root, optionsFile, options, /(export const IMAGE_OPTIONS[^=]*= \{\n[\s\S]*?\n)(\};)/, (m) => `${m[1]}  ${key(f.name)}: {},\n${m[2]}`, "the IMAGE_OPTIONS record");
    edits.push({ file: optionsFile, before: options, after: added });
  }
  return edits;
}

/** The module path of an import line. */
function modulePath(line: string): string {
  return /from "([^"]+)"/.exec(line)?.[1] ?? line;
}

/** Writes a file through a temp file and a rename, so that no reader sees half of it. */
function writeAtomic(file: string, content: string, mode = 0o644): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

/** What `runtime init` did, for the report. */
export interface InitResult {
  /** Files written, relative to the root. */
  readonly written: readonly string[];
  /** Files edited, relative to the root. */
  readonly edited: readonly string[];
}

/**
 * Scaffolds runtime `name` in the repository at `root` (see the file comment). Throws a
 * RuntimeInitError, having written nothing, when it refuses or fails.
 */
export function initRuntime(name: string, options: { root: string; format?: string }): InitResult {
  const format = (options.format ?? "toml") as ConfigFormat;
  if (!CONFIG_FORMATS.includes(format)) throw new RuntimeInitError(`--format must be one of ${CONFIG_FORMATS.join(", ")} (got ${JSON.stringify(options.format)})`, 2);
  const problem = nameProblem(name);
  if (problem) throw new RuntimeInitError(`runtime name ${JSON.stringify(name)} ${problem}`);
  const root = path.resolve(options.root);
  const runtimesDir = path.join(root, "runtimes");
  const missing = ["types.ts", "index.ts", "generate.ts"].filter((f) => !fs.existsSync(path.join(runtimesDir, f)));
  if (missing.length > 0) {
    throw new RuntimeInitError(`${root} is not a ClawLab repository (no runtimes/ with types.ts, index.ts and generate.ts): run it from the repository root or pass --root`);
  }
  const target = path.join(runtimesDir, name);
  const testFile = path.join("tests", "images", `${name}.test.ts`);
  const withTests = fs.existsSync(path.join(root, "tests", "images"));
  if (fs.existsSync(target) || (withTests && fs.existsSync(path.join(root, testFile)))) {
    throw new RuntimeInitError(`runtime ${JSON.stringify(name)} exists already (${fs.existsSync(target) ? path.join("runtimes", name) : testFile})`);
  }

  const uids = declaredNumbers(runtimesDir, /\buid:\s*(\d+)/g);
  const ports = new Set(declaredNumbers(runtimesDir, /^\s*port:\s*(\d+)/gm));
  let port = FIRST_PORT;
  while (ports.has(port)) port++;
  const ident = camel(name);
  const facts: ScaffoldFacts = {
    name,
    ident,
    title: name.split("-").map((w) => w[0]!.toUpperCase() + w.slice(1)).join(""),
    uid: uids.length ? Math.max(...uids) + 1 : FIRST_UID,
    port,
    format,
  };
  const edits = registrations(root, facts); // refuses before anything is written

  // Written under a temp name in runtimes/ (same file system), then renamed into place.
  const staging = fs.mkdtempSync(path.join(runtimesDir, `.${name}.init-`));
  const written: string[] = [];
  const done: Edit[] = [];
  try {
    for (const [file, { content, mode }] of Object.entries(scaffoldFiles(facts))) {
      fs.writeFileSync(path.join(staging, file), content);
      fs.chmodSync(path.join(staging, file), mode); // not subject to the umask
      written.push(path.join("runtimes", name, file));
    }
    fs.chmodSync(staging, 0o755);
    fs.renameSync(staging, target);
    if (withTests) {
      writeAtomic(path.join(root, testFile), imageTest(facts));
      written.push(testFile);
    }
    for (const e of edits) {
      writeAtomic(path.join(root, e.file), e.after);
      done.push(e);
    }
    // The repository's own generator: Dockerfile, runtime.conf, env.contract, .env.example, Dockerfile.dockerignore.
    const gen = spawnSync(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join("runtimes", "generate.ts")], { cwd: root, encoding: "utf8" });
    if (gen.status !== 0) throw new RuntimeInitError(`runtimes/generate.ts failed, nothing was kept:\n${gen.stderr}${gen.stdout}`);
    const generated = fs.readdirSync(target).filter((f) => !written.includes(path.join("runtimes", name, f)));
    return { written: [...written, ...generated.sort().map((f) => path.join("runtimes", name, f))], edited: edits.map((e) => e.file) };
  } catch (error) {
    // Take everything back: the edits, the folder, the test file.
    for (const e of done) writeAtomic(path.join(root, e.file), e.before);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(target, { recursive: true, force: true });
    if (written.includes(testFile)) fs.rmSync(path.join(root, testFile), { force: true });
    throw error instanceof RuntimeInitError ? error : new RuntimeInitError(`runtime init failed, nothing was kept: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The command's report: what was written and what a person does next. */
export function runtimeInitCommand(name: string, options: { root: string; format?: string }): { stdout: string; notes: string[] } {
  const result = initRuntime(name, options);
  const list = (files: readonly string[]) => files.map((f) => `  ${f}\n`).join("");
  return {
    stdout:
      `runtime ${name}: scaffolded in ${path.join(path.resolve(options.root), "runtimes", name)}\n` +
      `written:\n${list([...result.written].sort())}edited:\n${list(result.edited)}` +
      "next: fill in every TODO(upstream) (grep -rn 'TODO(upstream)' runtimes/" + `${name}), run npm run generate,\n` +
      `      add [runtimes.${name}] to clawlab.example.toml, and npm test\n`,
    notes: [],
  };
}
