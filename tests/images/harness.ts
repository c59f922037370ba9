/**
 * The real-Docker image harness: engine and base image (tests/infra), the stand-in,
 * image builds, containers run the way the fleet runs them, health waits that dump
 * logs on timeout, and cleanup. Generic: everything is driven by the runtime's
 * declaration (runtimes/<name>/declaration.ts) and its generated runtime.conf, so
 * every runtime's tests use the same helpers. See tests/images/README.md.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseToml } from "smol-toml";
import * as YAML from "yaml";
import { declarations } from "../../runtimes";
import { IMAGE_HEALTH_COMMAND, IMAGE_SHARE_DIR, bakedConfigPath } from "../../runtimes/image";
import type { RuntimeDeclaration, RuntimeName } from "../../runtimes/types";
import { fleetFlags } from "./samples";

export const REPO = path.resolve(__dirname, "../..");
export const RUNTIMES_DIR = path.join(REPO, "runtimes");
export const STANDIN_SRC = path.join(RUNTIMES_DIR, "shared/standin/standin.c");
/** Where the harness compiles the stand-in: inside the build context, git-ignored. */
export const STANDIN_BIN = path.join(RUNTIMES_DIR, "shared/standin/out/clawlab-standin");
/** The image every test build uses as BASE_IMAGE (debootstrapped by tests/infra/base-image.sh). */
export const TEST_BASE_IMAGE = process.env.CLAWLAB_BASE_IMAGE ?? "clawlab-test/debian:bookworm";
/** Health probe interval the tests run containers with (the image's own is 10s). */
export const TEST_HEALTH_INTERVAL = "250ms";
/** Label that records the build inputs' hash, so an up-to-date test image is not rebuilt. */
const INPUTS_LABEL = "org.clawlab.test.inputs";

// ---------------------------------------------------------------- processes

/** The result of one command: exit code and raw output bytes (byte-exact tests need Buffers). */
export interface Result {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** stdout as UTF-8. */
  readonly out: string;
  /** stderr as UTF-8. */
  readonly err: string;
}

/** Runs a command without a shell; never throws on a non-zero exit. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          child.kill("SIGKILL");
        }, opts.timeoutMs)
      : undefined;
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      const stdout = Buffer.concat(out);
      const stderr = Buffer.concat(err);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, out: stdout.toString("utf8"), err: stderr.toString("utf8") });
    });
    // A child that exits without reading its stdin must not crash the run with EPIPE.
    child.stdin.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") reject(e);
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Like run, but throws with the output when the exit code is not 0. */
export async function runOk(cmd: string, args: readonly string[], opts: Parameters<typeof run>[2] = {}): Promise<Result> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}\n${r.err}${r.out}`.slice(0, 8000));
  return r;
}

// ---------------------------------------------------------------- engine, base image, stand-in

let dockerPath: string | undefined;

/**
 * The Debian docker client (BuildKit built in), after tests/infra/engine.sh made sure a
 * dockerd answers (it installs and starts one when needed).
 */
export function dockerBin(): string {
  if (dockerPath) return dockerPath;
  const r = spawnSync(path.join(REPO, "tests/infra/engine.sh"), [], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const p = r.stdout.trim();
  if (r.status !== 0 || !p) throw new Error("tests/infra/engine.sh could not provide a docker engine");
  dockerPath = p;
  return p;
}

/** `docker ARGS...` with the Debian client and BuildKit. */
export function docker(args: readonly string[], opts: Parameters<typeof run>[2] = {}): Promise<Result> {
  return run(dockerBin(), args, { ...opts, env: { ...process.env, DOCKER_BUILDKIT: "1", ...(opts.env ?? {}) } });
}

/** `docker ARGS...`, throwing on failure. */
export function dockerOk(args: readonly string[], opts: Parameters<typeof run>[2] = {}): Promise<Result> {
  return runOk(dockerBin(), args, { ...opts, env: { ...process.env, DOCKER_BUILDKIT: "1", ...(opts.env ?? {}) } });
}

/** Makes sure the test base image exists (tests/infra/base-image.sh debootstraps it once). */
export function ensureBaseImage(): string {
  dockerBin();
  const r = spawnSync(path.join(REPO, "tests/infra/base-image.sh"), [], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, CLAWLAB_BASE_IMAGE: TEST_BASE_IMAGE },
  });
  if (r.status !== 0) throw new Error("tests/infra/base-image.sh failed");
  return r.stdout.trim();
}

/** Installs Debian packages through tests/infra/lib.sh's apt_install (nothing when present). */
function aptInstall(...pkgs: string[]): void {
  const r = spawnSync("sh", ["-c", `. "${REPO}/tests/infra/lib.sh"; apt_install "$@"`, "sh", ...pkgs], { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`apt_install ${pkgs.join(" ")} failed`);
}

/**
 * Compiles the stand-in (static, stripped) into the build context when missing or older
 * than its source; `runtimesDir` is another copy's runtimes/ (default this repository's).
 */
export function buildStandin(runtimesDir = RUNTIMES_DIR): string {
  const src = path.join(runtimesDir, path.relative(RUNTIMES_DIR, STANDIN_SRC));
  const bin = path.join(runtimesDir, path.relative(RUNTIMES_DIR, STANDIN_BIN));
  const fresh = fs.existsSync(bin) && fs.statSync(bin).mtimeMs >= fs.statSync(src).mtimeMs;
  if (fresh) return bin;
  if (spawnSync("sh", ["-c", "command -v gcc"], { stdio: "ignore" }).status !== 0 || !fs.existsSync("/usr/lib/x86_64-linux-gnu/libc.a")) {
    aptInstall("gcc", "libc6-dev");
  }
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = spawnSync("gcc", ["-O2", "-s", "-static", "-Wall", "-o", tmp, src], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("compiling the stand-in failed");
  fs.renameSync(tmp, bin);
  return bin;
}

// ---------------------------------------------------------------- images

/** A declaration by runtime name. */
export function decl(name: RuntimeName): RuntimeDeclaration {
  const d = declarations.find((x) => x.name === name);
  if (!d) throw new Error(`no declaration for ${name}`);
  return d;
}

/** The test image tag of a runtime. */
export function testImage(name: string): string {
  return `clawlab-test/${name}:latest`;
}

/** Every file a runtime image is built from (its folder and runtimes/shared), sorted. */
function buildInputs(name: string, runtimesDir: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && !e.name.endsWith(".tmp")) files.push(p);
    }
  };
  walk(path.join(runtimesDir, name));
  walk(path.join(runtimesDir, "shared"));
  return files.sort();
}

/** What a build is made of: inputs' paths, modes and bytes, plus the build args (the image's `org.clawlab.test.inputs` label). */
export function inputsHash(name: string, buildArgs: Record<string, string>, runtimesDir: string = RUNTIMES_DIR): string {
  const h = createHash("sha256");
  for (const f of buildInputs(name, runtimesDir)) {
    const st = fs.statSync(f);
    h.update(`${path.relative(runtimesDir, f)}\0${st.mode & 0o777}\0`);
    h.update(fs.readFileSync(f));
  }
  h.update(JSON.stringify(Object.entries(buildArgs).sort()));
  return h.digest("hex").slice(0, 24);
}

/** Serialises builds across vitest workers and the bench (2 cores: never two builds at once). */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = "/tmp/clawlab-image-build.lock";
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
      break;
    } catch {
      let owner = 0;
      try {
        owner = Number(fs.readFileSync(path.join(lock, "pid"), "utf8"));
      } catch {
        /* being created */
      }
      if (owner > 0) {
        try {
          process.kill(owner, 0);
        } catch {
          fs.rmSync(lock, { recursive: true, force: true }); // stale: its owner is gone
          continue;
        }
      }
      if (Date.now() > deadline) throw new Error(`${lock} held for 30 min`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export interface BuildOptions {
  /** The artifact stage: `standin` (default; the test stand-in) or `build` (the real toolchain build). */
  readonly artifact?: string;
  /** Extra --build-arg values (BASE_IMAGE defaults to the test base image). */
  readonly buildArgs?: Record<string, string>;
  /** Image tag; default clawlab-test/<name>:latest. */
  readonly tag?: string;
  /** Rebuild even when the inputs did not change. */
  readonly force?: boolean;
  /** The runtimes/ folder to build from (a scaffold in a temp copy); default this repository's. */
  readonly runtimesDir?: string;
}

/**
 * Builds runtimes/<name>/Dockerfile with context runtimes/ the way the fleet does, but
 * with the test base image and (by default) the stand-in as the artifact. Skipped when
 * the image already carries the current inputs' hash. Returns the tag.
 */
export async function buildRuntimeImage(name: string, opts: BuildOptions = {}): Promise<string> {
  const tag = opts.tag ?? testImage(name);
  const artifact = opts.artifact ?? "standin";
  const runtimesDir = opts.runtimesDir ?? RUNTIMES_DIR;
  const buildArgs = { BASE_IMAGE: TEST_BASE_IMAGE, ARTIFACT_STAGE: artifact, ...(opts.buildArgs ?? {}) };
  if (artifact === "standin") buildStandin(runtimesDir);
  const hash = inputsHash(name, buildArgs, runtimesDir);
  return withBuildLock(async () => {
    if (!opts.force) {
      const cur = await docker(["image", "inspect", "--format", `{{ index .Config.Labels "${INPUTS_LABEL}" }}`, tag]);
      if (cur.code === 0 && cur.out.trim() === hash) return tag;
    }
    ensureBaseImage();
    // Paths relative to the context, run from it: Debian's 20.10 client finds the
    // per-Dockerfile ignore file (Dockerfile.dockerignore) only that way. The context is
    // spelled `<name>/..`, not `.`: the client keys the daemon's cached copy of the
    // context by that literal string, and BuildKit 0.8 reusing one cached copy under
    // another runtime's ignore file fails COPYs with "not found"; one key per runtime.
    const args = ["build", "--progress=plain", "-f", `${name}/Dockerfile`, "-t", tag, "--label", `${INPUTS_LABEL}=${hash}`];
    for (const [k, v] of Object.entries(buildArgs)) args.push("--build-arg", `${k}=${v}`);
    args.push(`${name}/..`);
    const t0 = Date.now();
    const r = await docker(args, { cwd: runtimesDir });
    if (r.code !== 0) throw new Error(`docker build of ${name} failed:\n${(r.err + r.out).slice(-6000)}`);
    process.stderr.write(`[images] built ${tag} (${artifact}) in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
    return tag;
  });
}

/** `docker image inspect` as an object. */
export async function inspectImage(tag: string): Promise<any> {
  const r = await dockerOk(["image", "inspect", tag]);
  return JSON.parse(r.out)[0];
}

// ---------------------------------------------------------------- containers

/** A random suffix for container and volume names. */
export function randomName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

/** The hardening flags the fleet's container uses (components/claw-runtime.ts). */
export const fleetRunFlags = fleetFlags;

/** `-e NAME=value` pairs; values travel as argv words (never through a shell). */
export function envFlags(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
}

/** Containers, volumes and networks created by this process, removed by cleanup(). */
const created = { containers: new Set<string>(), volumes: new Set<string>(), networks: new Set<string>() };

/** Creates a named volume (tracked for cleanup). */
export async function createVolume(prefix = "clawlab-it-vol"): Promise<string> {
  const name = randomName(prefix);
  await dockerOk(["volume", "create", name]);
  created.volumes.add(name);
  return name;
}

/** Removes every container and volume this process created (call from afterAll). */
export async function cleanup(): Promise<void> {
  for (const c of created.containers) await docker(["rm", "-f", "-v", c]);
  created.containers.clear();
  for (const v of created.volumes) await docker(["volume", "rm", "-f", v]);
  created.volumes.clear();
  for (const n of created.networks) await docker(["network", "rm", n]);
  created.networks.clear();
}

/** A service a real runtime needs beside it (IronClaw's PostgreSQL); the stand-in needs none. */
export interface ServiceSpec {
  /** Folder under tests/images holding its Dockerfile (built on the test base image). */
  readonly dir: string;
  /** The host name the runtime reaches it by. */
  readonly alias: string;
  /** Its environment. */
  readonly env: Record<string, string>;
}

/**
 * Builds the service's image, starts it on a fresh private network under its alias and
 * waits for its HEALTHCHECK; returns the network, for the runtime's containers to join.
 * cleanup() removes container and network.
 */
export async function startService(spec: ServiceSpec): Promise<string> {
  const tag = `clawlab-test/${spec.dir}-service:latest`;
  await withBuildLock(async () => {
    ensureBaseImage();
    const r = await docker(["build", "--progress=plain", "--build-arg", `BASE_IMAGE=${TEST_BASE_IMAGE}`, "-t", tag, path.join(__dirname, spec.dir)]);
    if (r.code !== 0) throw new Error(`docker build of the ${spec.dir} service failed:\n${(r.err + r.out).slice(-6000)}`);
  });
  const network = randomName(`clawlab-it-${spec.dir}-net`);
  await dockerOk(["network", "create", network]);
  created.networks.add(network);
  const name = randomName(`clawlab-it-${spec.dir}`);
  created.containers.add(name);
  await dockerOk(["run", "-d", "--name", name, "--network", network, "--network-alias", spec.alias, ...envFlags(spec.env), tag]);
  await waitHealthy(name, 120_000);
  return network;
}

export interface StartOptions {
  /** Environment for the container (the contract variables). */
  readonly env?: Record<string, string>;
  /** The fleet's hardening flags (default true); false starts it as the image says (USER). */
  readonly fleet?: boolean;
  /** Extra docker run flags (e.g. ["--user", "0:0"]). */
  readonly flags?: readonly string[];
  /** A named volume for the state dir; default a fresh one. */
  readonly volume?: string;
  /** Command (after the image); default the image's CMD. */
  readonly cmd?: readonly string[];
  /** Container name prefix. */
  readonly prefix?: string;
}

/** A started container. */
export interface Container {
  readonly name: string;
  readonly volume: string;
  readonly decl: RuntimeDeclaration;
}

/** `docker run -d` of a runtime image the way the fleet runs it, with a fast health interval. */
export async function startContainer(d: RuntimeDeclaration, image: string, opts: StartOptions = {}): Promise<Container> {
  const name = randomName(opts.prefix ?? `clawlab-it-${d.name}`);
  const volume = opts.volume ?? (await createVolume(`clawlab-it-${d.name}`));
  const args = ["run", "-d", "--name", name, "--health-interval", TEST_HEALTH_INTERVAL, "--health-retries", "3", "-v", `${volume}:${d.stateDir}`];
  if (opts.fleet !== false) args.push(...fleetRunFlags(d));
  args.push(...(opts.flags ?? []), ...envFlags(opts.env ?? {}), image, ...(opts.cmd ?? []));
  created.containers.add(name);
  await dockerOk(args);
  return { name, volume, decl: d };
}

/** `docker inspect` of a container as an object. */
export async function inspectContainer(name: string): Promise<any> {
  const r = await dockerOk(["inspect", name]);
  return JSON.parse(r.out)[0];
}

/** Logs and health log of a container, for failure messages. */
export async function diagnose(name: string): Promise<string> {
  const logs = await docker(["logs", "--tail", "80", name]);
  const st = await docker(["inspect", "--format", "{{json .State}}", name]);
  return `---- docker logs ${name} ----\n${logs.out}${logs.err}\n---- state ----\n${st.out}`;
}

/**
 * How long a test waits for a runtime to turn healthy: its declared start period (the
 * window a loaded two-core machine needs, measured per runtime) plus 30 s. Docker itself
 * turns a container unhealthy soon after the start period, and waitHealthy fails fast on
 * that, so the start period is the real bound; the margin covers the probe's own rounds.
 */
export function healthTimeoutMs(d: RuntimeDeclaration): number {
  return (d.health.startPeriodSeconds + 30) * 1000;
}

/**
 * Waits until docker reports the container healthy (State.Health.Status). Fails at once
 * when it exits or turns unhealthy (unless `allowUnhealthy`), and on timeout; the error
 * carries its logs and health log.
 */
export async function waitHealthy(name: string, timeoutMs = 60_000, allowUnhealthy = false): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const r = await docker(["inspect", "--format", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}", name]);
    const [status, health] = r.out.trim().split(" ");
    if (health === "healthy") return (Date.now() - t0) / 1000;
    if (r.code !== 0 || status === "exited" || status === "dead" || (health === "unhealthy" && !allowUnhealthy) || Date.now() - t0 > timeoutMs) {
      throw new Error(`${name} did not become healthy (status ${status}, health ${health}) after ${(Date.now() - t0) / 1000}s\n${await diagnose(name)}`);
    }
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Waits until docker reports the container unhealthy (for negative health tests). */
export async function waitUnhealthy(name: string, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const r = await docker(["inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{end}}", name]);
    if (r.out.trim() === "unhealthy") return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${name} did not turn unhealthy\n${await diagnose(name)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** `docker exec` in a container (as the image's USER unless `user` is given). */
export function exec(name: string, cmd: readonly string[], user?: string): Promise<Result> {
  return docker(["exec", ...(user ? ["-u", user] : []), name, ...cmd]);
}

/** The bytes of a file inside a running container. */
export async function readFileIn(name: string, file: string): Promise<Buffer> {
  const r = await exec(name, ["cat", file]);
  if (r.code !== 0) throw new Error(`cat ${file} in ${name}: ${r.err}`);
  return r.stdout;
}

/** The container's address on the default bridge. */
export async function containerIp(name: string): Promise<string> {
  const r = await dockerOk(["inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name]);
  return r.out.trim();
}

/** What the stand-in reports about itself (GET /__standin, from inside the container's network). */
export interface StandinState {
  readonly runtime: string;
  readonly argv: string[];
  readonly uid: number;
  readonly euid: number;
  readonly gid: number;
  readonly groups: number[];
  readonly capEff: string;
  readonly capPrm: string;
  readonly noNewPrivs: number;
  readonly cwd: string;
  readonly configPath: string;
  readonly configExists: boolean;
  readonly listen: string;
  readonly env: Record<string, string>;
}

/** GET a path of the stand-in from the host over the container's bridge address (proves the listener is reachable from outside). */
export async function httpGet(name: string, port: number, urlPath: string): Promise<{ status: number; body: string }> {
  const ip = await containerIp(name);
  const res = await fetch(`http://${ip}:${port}${urlPath}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text() };
}

/** The stand-in's view of its process (argv, ids, caps, env, resolved config path). */
export async function standinState(c: Container, port = c.decl.port): Promise<StandinState> {
  const r = await httpGet(c.name, port, "/__standin");
  if (r.status !== 200) throw new Error(`GET /__standin: ${r.status}`);
  return JSON.parse(r.body) as StandinState;
}

/** Calls recorded by the stand-in for one-shot invocations (<state>/.standin/calls.jsonl). */
export async function standinCalls(c: Container): Promise<{ argv: string[]; uid: number }[]> {
  const r = await exec(c.name, ["cat", `${c.decl.stateDir}/.standin/calls.jsonl`]);
  if (r.code !== 0) return [];
  return r.out
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { argv: string[]; uid: number });
}

/** One process of a container, as its /proc shows it. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** The process title (`comm`, at most 15 bytes). */
  readonly comm: string;
  readonly argv: string[];
  /** Real, effective, saved and filesystem ids. */
  readonly uids: number[];
  readonly gids: number[];
  readonly groups: number[];
  readonly capEff: bigint;
  readonly capPrm: bigint;
  readonly noNewPrivs: number;
  /** The environment it was started with (/proc/<pid>/environ). */
  readonly env: Record<string, string>;
  /** Its working directory ("" when unreadable). */
  readonly cwd: string;
}

/** NUL-separated /proc text (cmdline, environ) as its items. */
function nulItems(b: Buffer): string[] {
  return b.toString("utf8").split("\0").filter(Boolean);
}

/**
 * Every process of a running container but tini (PID 1) and the `docker exec` that lists
 * them (its parent is outside the container: ppid 0), read from /proc as the exec's user.
 * Works the same for the stand-in and a real runtime: the runtime is the process whose
 * parent is tini (`runtimeProcess`).
 */
export async function containerProcesses(name: string): Promise<ProcessInfo[]> {
  const script = `for d in /proc/[0-9]*; do p=\${d#/proc/}; [ "$p" = 1 ] || [ "$p" = $$ ] && continue
    s=$(cat $d/status 2>/dev/null) || continue
    printf '%s %s %s %s %s\\n' "$p" "$(printf '%s' "$s" | base64 -w0)" "$(base64 -w0 <$d/cmdline 2>/dev/null)" "$(base64 -w0 <$d/environ 2>/dev/null)" "$(readlink $d/cwd 2>/dev/null | base64 -w0)"; done`;
  const r = await exec(name, ["sh", "-c", script]);
  if (r.code !== 0) throw new Error(`listing the processes of ${name}: ${r.err}`);
  const procs: ProcessInfo[] = [];
  for (const line of r.out.split("\n").filter(Boolean)) {
    const [pid, status, cmdline = "", environ = "", cwd = ""] = line.split(" ");
    const fields = Object.fromEntries(
      Buffer.from(status!, "base64")
        .toString("utf8")
        .split("\n")
        .filter((l) => l.includes(":"))
        .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
    );
    const ints = (f: string | undefined) => (f ?? "").split(/\s+/).filter(Boolean).map(Number);
    const ppid = Number(fields.PPid);
    if (ppid === 0) continue; // a docker exec (this one, or another test's)
    procs.push({
      pid: Number(pid),
      ppid,
      comm: fields.Name ?? "",
      argv: nulItems(Buffer.from(cmdline, "base64")),
      uids: ints(fields.Uid),
      gids: ints(fields.Gid),
      groups: ints(fields.Groups),
      capEff: BigInt(`0x${fields.CapEff ?? "0"}`),
      capPrm: BigInt(`0x${fields.CapPrm ?? "0"}`),
      noNewPrivs: Number(fields.NoNewPrivs),
      env: Object.fromEntries(nulItems(Buffer.from(environ, "base64")).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])),
      cwd: Buffer.from(cwd, "base64").toString("utf8").trim(),
    });
  }
  return procs;
}

/** The runtime's process: the one tini started (the entrypoint exec'd the runtime in its place). */
export async function runtimeProcess(name: string): Promise<ProcessInfo> {
  const procs = await containerProcesses(name);
  const p = procs.find((x) => x.ppid === 1);
  if (!p) throw new Error(`no process under tini in ${name}: ${JSON.stringify(procs.map((x) => [x.pid, x.ppid, x.comm]))}`);
  return p;
}

/** The stand-in's FNV-1a 64 hash, as it records a word after "password". */
export function fnv1a64(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(s, "utf8")) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `fnv1a64:${h.toString(16).padStart(16, "0")}`;
}

// ---------------------------------------------------------------- configs

/** Parses a native config with a real parser (smol-toml, JSON.parse, yaml; dotenv by line). */
export function parseConfig(format: RuntimeDeclaration["config"]["format"], text: string): any {
  switch (format) {
    case "toml":
      return parseToml(text);
    case "json":
      return JSON.parse(text);
    case "yaml":
      return YAML.parse(text, { strict: true, uniqueKeys: true });
    case "dotenv":
      return Object.fromEntries(
        text
          .split("\n")
          .filter((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l))
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
  }
}

/** The value at a dotted key path (numeric segments index arrays); undefined when absent. */
export function getPath(obj: any, dotted: string): unknown {
  let cur = obj;
  for (const seg of dotted.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = Array.isArray(cur) ? cur[Number(seg)] : cur[seg];
  }
  return cur;
}

/** The baked config of a runtime as it sits in the repository (or in another copy's runtimes/). */
export function bakedConfig(d: RuntimeDeclaration, runtimesDir = RUNTIMES_DIR): Buffer {
  return fs.readFileSync(path.join(runtimesDir, d.name, d.config.baked));
}

export { IMAGE_HEALTH_COMMAND, IMAGE_SHARE_DIR, bakedConfigPath };
