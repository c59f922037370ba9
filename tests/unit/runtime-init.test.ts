/**
 * `clawlab runtime init`, black-box: the real CLI as a subprocess on temp copies of the
 * repository's runtimes/ (plus tests/images/options.ts). What it writes, the runtime list
 * the generator extends, that the result typechecks and is what the generator writes, that each format's
 * baked config passes the shared library's check-baked; and its refusals, after which
 * nothing in the copy has changed. The scaffold's image is built and checked on a real
 * engine by tests/images/runtime-init.test.ts.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseToml } from "smol-toml";
import { afterAll, describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { declarations } from "../../runtimes";
import { FORMATS, cleanupSandboxes, main, render, sandbox, type Format } from "./patcher-harness";

const REPO = path.join(__dirname, "../..");
const CLI = path.join(REPO, "cli", "clawlab.js");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-runtime-init-"));
afterAll(() => {
  fs.rmSync(TMP, { recursive: true, force: true });
  cleanupSandboxes();
});

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI with `args`. */
function clawlab(args: string[], cwd = TMP): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** Runs a node script (tsx CLI, tsc) in `cwd`. */
function node(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

let copies = 0;
/** A copy of the repository's parts runtime init reads and edits. */
function copy(): string {
  const root = path.join(TMP, `repo-${++copies}`);
  const out = path.join(REPO, "runtimes", "shared", "standin", "out");
  fs.cpSync(path.join(REPO, "runtimes"), path.join(root, "runtimes"), { recursive: true, filter: (src) => src !== out });
  fs.mkdirSync(path.join(root, "tests", "images"), { recursive: true });
  fs.copyFileSync(path.join(REPO, "tests", "images", "options.ts"), path.join(root, "tests", "images", "options.ts"));
  return root;
}

/** Every folder and file under `dir`, files with a hash of their bytes and their mode: "nothing written" is an equal snapshot. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isSymbolicLink()) files[path.relative(dir, p)] = `-> ${fs.readlinkSync(p)}`;
      else if (e.isDirectory()) {
        files[`${path.relative(dir, p)}/`] = "dir"; // an empty folder left behind counts too
        walk(p);
      }
      else files[path.relative(dir, p)] = `${createHash("sha256").update(fs.readFileSync(p)).digest("hex")} ${fs.statSync(p).mode}`;
    }
  };
  walk(dir);
  return files;
}

/** The lines of `after` that are not in `before`. */
function added(before: string, after: string): string[] {
  const old = new Set(before.split("\n"));
  return after.split("\n").filter((l) => !old.has(l));
}

describe("clawlab runtime init demo", () => {
  const root = copy();
  const result = clawlab(["runtime", "init", "demo", "--root", root]);

  it("scaffolds runtimes/demo/ and its image test, generated files included", async () => {
    const r = await result;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(fs.readdirSync(path.join(root, "runtimes", "demo")).sort()).toEqual(
      [".env.example", "Dockerfile", "Dockerfile.build", "Dockerfile.dockerignore", "config.toml", "declaration.ts", "entrypoint.sh", "env.contract", "runtime.conf", "translate.ts"].sort(),
    );
    expect(fs.statSync(path.join(root, "runtimes", "demo", "entrypoint.sh")).mode & 0o777).toBe(0o755);
    expect(fs.existsSync(path.join(root, "tests", "images", "demo.test.ts"))).toBe(true);
    expect(fs.readdirSync(path.join(root, "runtimes")).filter((f) => f.startsWith("."))).toEqual([]); // no staging left
    expect(r.stdout).toContain("TODO(upstream)");
  });

  it("lists it through the generator alone: names.ts and registry.ts gain it at the end, nothing else is edited", async () => {
    const r = await result;
    const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), "utf8");
    expect(added(read(REPO, "runtimes/names.ts"), read(root, "runtimes/names.ts"))).toEqual(['  "demo",']);
    expect(added(read(REPO, "runtimes/registry.ts"), read(root, "runtimes/registry.ts"))).toEqual([
      'import { demo } from "./demo/declaration";',
      'import { translateDemo } from "./demo/translate";',
      `export const declarations: readonly RuntimeDeclaration[] = [${declarations.map((d) => d.name).join(", ")}, demo];`,
      "  demo: translateDemo,",
    ]);
    for (const rel of ["runtimes/types.ts", "runtimes/index.ts", "tests/images/options.ts"]) expect(read(root, rel), rel).toBe(read(REPO, rel));
    expect(r.stdout).toContain("runtimes/names.ts");
  });

  it("declares the next uid, a free port, the state dir and a stand-in-ready image", async () => {
    await result;
    const conf = fs.readFileSync(path.join(root, "runtimes", "demo", "runtime.conf"), "utf8");
    expect(conf).toContain(`CLAW_UID='${Math.max(...declarations.map((d) => d.user.uid)) + 1}'`);
    const port = Number(/CLAW_PORT='(\d+)'/.exec(conf)![1]);
    expect(declarations.map((d) => d.port)).not.toContain(port);
    expect(conf).toContain("CLAW_STATE_DIR='/var/lib/demo'");
    const dockerfile = fs.readFileSync(path.join(root, "runtimes", "demo", "Dockerfile"), "utf8");
    expect(dockerfile).toContain("COPY shared/standin/out/clawlab-standin /out/demo");
    expect(dockerfile).toContain("COPY --from=artifact /out/demo /usr/local/bin/demo");
  });

  it("is what the copy's generator writes, and the copy typechecks", async () => {
    await result;
    const check = await node([path.join(REPO, "node_modules", "tsx", "dist", "cli.mjs"), "runtimes/generate.ts", "--check"], root);
    expect(check.status, check.stderr).toBe(0);
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(root, "node_modules"));
    const tsconfig = JSON.parse(fs.readFileSync(path.join(REPO, "tsconfig.json"), "utf8"));
    fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ ...tsconfig, include: ["runtimes/**/*.ts"] }));
    const tsc = await node([path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "."], root);
    expect(tsc.status, tsc.stdout).toBe(0);
  }, 60_000);

  it("refuses the same name again, writing nothing", async () => {
    await result;
    const before = snapshot(root);
    const again = await clawlab(["runtime", "init", "demo", "--root", root]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('runtime "demo" exists already');
    expect(snapshot(root)).toEqual(before);
  });
});

describe("each config format's scaffold", () => {
  it.each(FORMATS)("%s: the baked config passes check-baked and renders the sample variable", async (format: Format) => {
    const root = copy();
    const r = await clawlab(["runtime", "init", "fmt", "--format", format, "--root", root]);
    expect(r.status, r.stderr).toBe(0);
    const dir = path.join(root, "runtimes", "fmt");
    const conf = fs.readFileSync(path.join(dir, "runtime.conf"), "utf8");
    const baked = fs.readFileSync(path.join(dir, /CLAW_CONFIG_BAKED='\/usr\/local\/share\/clawlab\/([^']+)'/.exec(conf)![1]!));
    const sb = sandbox(format, { baked, contract: fs.readFileSync(path.join(dir, "env.contract"), "utf8") });
    const check = main(sb, ["check-baked"], {});
    expect(check.status, check.stderr).toBe(0);
    const { run, text } = render(sb, { FMT_LOG_LEVEL: "warn" });
    expect(run.status, run.stderr).toBe(0);
    const parsed: Record<string, unknown> =
      format === "toml" ? parseToml(text!) : format === "json" ? JSON.parse(text!) : format === "yaml" ? YAML.parse(text!) : { LOG_LEVEL: /^LOG_LEVEL="(.*)"$/m.exec(text!)?.[1] };
    expect(parsed[format === "dotenv" ? "LOG_LEVEL" : "log_level"]).toBe("warn");
  }, 30_000);
});

describe("refusals (exit 1, nothing written)", () => {
  const root = copy();

  /** Runs `runtime init` in `dir`: it must refuse with `why` and leave `dir` as it was. */
  async function refused(dir: string, args: string[], why: string): Promise<void> {
    const before = snapshot(dir);
    const r = await clawlab(["runtime", "init", "--root", dir, ...args]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(why);
    expect(r.stdout).toBe("");
    expect(snapshot(dir)).toEqual(before);
  }

  it.each([
    ["Demo", "lower-case DNS label"],
    ["1claw", "lower-case DNS label"],
    ["-claw", "lower-case DNS label"],
    ["claw-", "lower-case DNS label"],
    ["my_claw", "lower-case DNS label"],
    ["a".repeat(33), "lower-case DNS label"],
    ["shared", "reserved word"],
    ["mimiclaw", "reserved word"],
    ["index", "reserved word"],
    ["clawlab-health", "reserved word"],
    ["root", "reserved word"],
    ["new", "reserved word"],
    ["zeroclaw", "exists already"],
  ])("%s: %s", (name, why) => refused(root, ["--", name], why));

  it("a --root without runtimes/", () => refused(fs.mkdtempSync(path.join(TMP, "empty-")), ["demo"], "is not a ClawLab repository"));

  it("a list entry whose folder is gone is dropped by the generator, not refused", async () => {
    const odd = copy();
    fs.rmSync(path.join(odd, "runtimes", "picoclaw"), { recursive: true });
    const r = await clawlab(["runtime", "init", "--root", odd, "demo"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const names = fs.readFileSync(path.join(odd, "runtimes", "names.ts"), "utf8");
    expect(names).not.toContain('"picoclaw"');
    expect(names.trimEnd().split("\n").slice(-2)).toEqual(['  "demo",', "] as const;"]);
  });

  it("a generator that fails: everything written is taken back", async () => {
    const broken = copy();
    fs.writeFileSync(path.join(broken, "runtimes", "generate.ts"), 'console.error("generator broke"); process.exit(3);\n');
    await refused(broken, ["demo"], "generator broke");
  });

  it("usage errors: no subcommand, no name, an unknown format (exit 2)", async () => {
    for (const args of [["runtime"], ["runtime", "init"], ["runtime", "init", "demo", "--format", "ini", "--root", root], ["runtime", "add", "x"]]) {
      const r = await clawlab(args);
      expect(r.status, args.join(" ")).toBe(2);
    }
  });
});
