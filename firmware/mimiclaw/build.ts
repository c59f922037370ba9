/**
 * Builds the pinned upstream MimiClaw firmware with ESP-IDF 5.5 and prints a
 * JSON manifest of the images (sha256, size) on stdout; logs go to stderr.
 *
 *   npx tsx firmware/mimiclaw/build.ts
 *
 * Uses a local `idf.py` when present, else `espressif/idf` through the local
 * Docker engine (MIMICLAW_BUILDER=local|docker forces one). No secret is
 * compiled in: main/mimi_secrets.h is never written; settings are provisioned
 * over the serial console afterwards.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EnvReader, runMain } from "./env";
import { sha256File } from "./flash";
import { FLASH_LAYOUT, type ImageRole, UPSTREAM, UPSTREAM_PARTITIONS } from "./layout";

export interface BuildSettings {
  repo: string;
  version: string;
  /** Expected commit of `version`; the build stops when the checkout differs. */
  commit?: string;
  /** Use this checkout instead of cloning. */
  sourceDir?: string;
  workDir: string;
  outDir: string;
  idfImage: string;
  builder: "auto" | "local" | "docker";
}

export function buildSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): BuildSettings {
  const r = new EnvReader(env);
  const version = r.optional("MIMICLAW_VERSION") ?? UPSTREAM.version;
  if (!/^[A-Za-z0-9._/-]+$/.test(version)) r.problems.push(`MIMICLAW_VERSION=${version} is not a git tag or branch name`);
  const commit = r.optional("MIMICLAW_SOURCE_COMMIT");
  if (commit !== undefined && !/^[0-9a-f]{40}$/.test(commit)) r.problems.push("MIMICLAW_SOURCE_COMMIT must be a full 40-character commit id");
  const workDir = r.optional("MIMICLAW_WORK_DIR") ?? path.join(os.homedir(), ".cache", "clawlab", "mimiclaw");
  const s: BuildSettings = {
    repo: r.optional("MIMICLAW_SOURCE_REPO") ?? UPSTREAM.repo,
    version,
    commit,
    sourceDir: r.optional("MIMICLAW_SOURCE_DIR"),
    workDir,
    outDir: r.optional("MIMICLAW_OUT_DIR") ?? path.join(workDir, "images", version.replace(/\//g, "_")),
    idfImage: r.optional("MIMICLAW_IDF_IMAGE") ?? UPSTREAM.idfImage,
    builder: r.oneOf("MIMICLAW_BUILDER", ["auto", "local", "docker"] as const, "auto"),
  };
  r.done();
  return s;
}

/** The commands that build a checkout, as argument arrays with their working directory. */
export function buildCommands(s: Pick<BuildSettings, "idfImage">, builder: "local" | "docker", sourceDir: string, ids = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }): { argv: string[]; cwd: string }[] {
  const steps = [
    ["idf.py", "set-target", UPSTREAM.target],
    ["idf.py", "build"],
  ];
  if (builder === "local") return steps.map((argv) => ({ argv, cwd: sourceDir }));
  const docker = ["docker", "run", "--rm", "-v", `${path.resolve(sourceDir)}:/project`, "-w", "/project", "-e", "HOME=/tmp", "-u", `${ids.uid}:${ids.gid}`, s.idfImage];
  return steps.map((argv) => ({ argv: [...docker, ...argv], cwd: sourceDir }));
}

/**
 * Checks that a checkout is a firmware this tooling can flash and provision:
 * the partition layout matches and the console has every provisioning command.
 */
export function checkSource(dir: string): string[] {
  const problems: string[] = [];
  const csvPath = path.join(dir, "partitions.csv");
  if (!fs.existsSync(csvPath)) problems.push("partitions.csv is missing");
  else {
    const rows = new Map<string, { offset: number; size: number }>();
    for (const line of fs.readFileSync(csvPath, "utf8").split("\n")) {
      const cells = line.replace(/#.*/, "").split(",").map((c) => c.trim());
      if (cells.length >= 5 && cells[0]) rows.set(cells[0], { offset: Number(cells[3]), size: Number(cells[4]) });
    }
    for (const want of UPSTREAM_PARTITIONS.filter((p) => p.label === "otadata" || p.label === "ota_0" || p.label === "nvs")) {
      const got = rows.get(want.label);
      if (!got) problems.push(`partitions.csv has no ${want.label} partition`);
      else if (got.offset !== want.offset) {
        problems.push(`partitions.csv puts ${want.label} at 0x${got.offset.toString(16)}, expected 0x${want.offset.toString(16)}`);
      }
    }
  }
  const cliPath = path.join(dir, "main", "cli", "serial_cli.c");
  if (!fs.existsSync(cliPath)) problems.push("main/cli/serial_cli.c is missing: this build has no serial console to provision");
  else {
    const cli = fs.readFileSync(cliPath, "utf8");
    for (const cmd of ["set_wifi", "set_api_key", "set_model", "set_model_provider", "set_tg_token", "set_proxy", "clear_proxy", "config_show", "restart"]) {
      if (!cli.includes(`"${cmd}"`)) problems.push(`the serial console does not register ${cmd}`);
    }
  }
  return problems;
}

export interface BuildManifest {
  version: string;
  commit: string | null;
  builder: "local" | "docker";
  idfImage: string | null;
  images: Record<ImageRole, { file: string; sha256: string; size: number }>;
}

/** Copies the images out of an ESP-IDF build directory and describes them. */
export function collectImages(buildDir: string, outDir: string): BuildManifest["images"] {
  fs.mkdirSync(outDir, { recursive: true });
  const images = {} as BuildManifest["images"];
  for (const slot of FLASH_LAYOUT) {
    const from = path.join(buildDir, slot.buildPath);
    if (!fs.existsSync(from)) throw new Error(`the build did not produce ${slot.buildPath}`);
    const to = path.join(outDir, slot.file);
    fs.copyFileSync(from, to);
    images[slot.role] = { file: slot.file, sha256: sha256File(to), size: fs.statSync(to).size };
  }
  return images;
}

function run(argv: string[], cwd: string): { status: number | null; stdout: string } {
  const res = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (res.error) throw new Error(`cannot run ${argv[0]}: ${res.error.message}`);
  return { status: res.status, stdout: res.stdout };
}

function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** Clones `version` once into the work directory and checks the commit. */
function fetchSource(s: BuildSettings, log: (l: string) => void): { dir: string; commit: string | null } {
  let dir = s.sourceDir;
  if (!dir) {
    dir = path.join(s.workDir, `src-${s.version.replace(/\//g, "_")}`);
    if (!fs.existsSync(path.join(dir, ".git"))) {
      fs.mkdirSync(s.workDir, { recursive: true });
      log(`cloning ${s.repo} at ${s.version}`);
      const c = run(["git", "clone", "--depth", "1", "--branch", s.version, s.repo, dir], s.workDir);
      if (c.status !== 0) throw new Error(`git clone of ${s.repo} at ${s.version} failed`);
    }
  }
  let commit: string | null = null;
  if (fs.existsSync(path.join(dir, ".git"))) {
    const r = run(["git", "rev-parse", "HEAD"], dir);
    if (r.status === 0) commit = r.stdout.trim();
  }
  if (s.commit && commit !== s.commit) {
    throw new Error(`the checkout in ${dir} is at ${commit ?? "an unknown commit"}, MIMICLAW_SOURCE_COMMIT expects ${s.commit}`);
  }
  return { dir, commit };
}

export async function build(s: BuildSettings, log: (l: string) => void): Promise<BuildManifest> {
  const { dir, commit } = fetchSource(s, log);
  const problems = checkSource(dir);
  if (problems.length > 0) throw new Error(`refusing to build ${dir}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  const builder = s.builder === "auto" ? (has("idf.py") ? "local" : "docker") : s.builder;
  if (builder === "docker" && !has("docker")) throw new Error("neither idf.py nor docker is available (MIMICLAW_BUILDER=docker needs a Docker engine)");
  for (const step of buildCommands(s, builder, dir)) {
    log(step.argv.join(" "));
    const r = spawnSync(step.argv[0]!, step.argv.slice(1), { cwd: step.cwd, stdio: ["ignore", process.stderr, "inherit"] });
    if (r.error) throw new Error(`cannot run ${step.argv[0]}: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`${step.argv.slice(-2).join(" ")} failed with exit code ${r.status}`);
  }
  const manifest: BuildManifest = {
    version: s.version,
    commit,
    builder,
    idfImage: builder === "docker" ? s.idfImage : null,
    images: collectImages(path.join(dir, "build"), s.outDir),
  };
  fs.writeFileSync(path.join(s.outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function main(): Promise<void> {
  const s = buildSettingsFromEnv();
  const manifest = await build(s, (l) => process.stderr.write(`build: ${l}\n`));
  process.stdout.write(`${JSON.stringify(manifest)}\n`);
}

if (typeof require !== "undefined" && require.main === module) void runMain("build", main);
