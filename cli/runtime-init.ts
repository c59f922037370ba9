/**
 * `clawlab runtime init <name> [--root DIR] [--format FORMAT]`: scaffolds `runtimes/<name>/`
 * (cli/runtime-init-files.ts) and its image test, then runs the repository's own
 * generator, which lists the new folder among the runtimes (runtimes/names.ts,
 * runtimes/registry.ts) and writes its Dockerfile and contract files.
 *
 * All or nothing: every check runs before anything is written; the folder is written
 * under a temp name inside runtimes/ and renamed into place; when the generator fails
 * everything written is taken back, the generated list included.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { declarationIdent } from "../runtimes/registry-files";
import { CONFIG_FORMATS, type ConfigFormat, type ScaffoldFacts, imageTest, scaffoldFiles } from "./runtime-init-files";

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


/** Why `name` cannot be a runtime's name, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  // A DNS label starting with a letter (it is also an identifier, an env prefix and a
  // user name), at most 32 characters: useradd's limit for the runtime user.
  if (!/^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(name) || name.length > 32) {
    return 'must be a lower-case DNS label: a-z, 0-9 and "-", starting with a letter, not ending with "-", at most 32 characters';
  }
  if (RESERVED.has(name) || name.startsWith("clawlab") || JS_RESERVED.has(declarationIdent(name))) return "is a reserved word";
  return undefined;
}

/** Numbers after `key:` in every declaration.ts of the root (uids, ports). */
function declaredNumbers(runtimesDir: string, pattern: RegExp): number[] {
  return fs
    .readdirSync(runtimesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(runtimesDir, e.name, "declaration.ts")))
    .flatMap((e) => [...fs.readFileSync(path.join(runtimesDir, e.name, "declaration.ts"), "utf8").matchAll(pattern)].map((m) => Number(m[1])));
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
  const missing = ["types.ts", "index.ts", "generate.ts", "registry-files.ts"].filter((f) => !fs.existsSync(path.join(runtimesDir, f)));
  if (missing.length > 0) {
    throw new RuntimeInitError(`${root} is not a ClawLab repository (no runtimes/ with types.ts, index.ts, generate.ts and registry-files.ts): run it from the repository root or pass --root`);
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
  const ident = declarationIdent(name);
  const facts: ScaffoldFacts = {
    name,
    ident,
    title: name.split("-").map((w) => w[0]!.toUpperCase() + w.slice(1)).join(""),
    uid: uids.length ? Math.max(...uids) + 1 : FIRST_UID,
    port,
    format,
  };
  const listFiles = ["names.ts", "registry.ts"].map((f) => path.join(runtimesDir, f));
  const listBefore = listFiles.map((f) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : undefined));

  // Written under a temp name in runtimes/ (same file system), then renamed into place.
  const staging = fs.mkdtempSync(path.join(runtimesDir, `.${name}.init-`));
  const written: string[] = [];
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
    // The repository's own generator: the runtime list, then Dockerfile, runtime.conf,
    // env.contract, .env.example, Dockerfile.dockerignore.
    const gen = spawnSync(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join("runtimes", "generate.ts")], { cwd: root, encoding: "utf8" });
    if (gen.status !== 0) throw new RuntimeInitError(`runtimes/generate.ts failed, nothing was kept:\n${gen.stderr}${gen.stdout}`);
    const generated = fs.readdirSync(target).filter((f) => !written.includes(path.join("runtimes", name, f)));
    const regenerated = listFiles.filter((f, i) => fs.readFileSync(f, "utf8") !== listBefore[i]).map((f) => path.relative(root, f));
    return { written: [...written, ...generated.sort().map((f) => path.join("runtimes", name, f))], edited: regenerated };
  } catch (error) {
    // Take everything back: the generated list, the folder, the test file.
    listFiles.forEach((f, i) => {
      const before = listBefore[i];
      if (before === undefined) fs.rmSync(f, { force: true });
      else writeAtomic(f, before);
    });
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
