/**
 * `clawlab compose` on a real engine: the real CLI writes the Compose file and env files
 * for tests/fixtures/compose-fleet.toml (six runtimes on their stand-in images, NanoClaw
 * with the opt-in Docker socket, IronClaw with an external database), Debian's
 * docker-compose 1.29.2 (tests/infra/compose.sh installs it) starts them, and every
 * container must turn healthy through its image's own probe, run as its declared uid with
 * the fleet's hardening, and hold exactly the environment its env file says. A second
 * `clawlab compose` run must change nothing, so `up` leaves the running fleet alone.
 *
 * The images are the test images (`clawlab-test/<runtime>:latest`) tagged as the file
 * names them under a registry of this run's own (`CLAWLAB_REGISTRY`); project, containers,
 * volumes and tags all carry the prefix `clawlab-compose-it-` and are removed in afterAll.
 */
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseToml, stringify } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { COMPOSE_FILE } from "../../cli/compose";
import { declarations } from "../../runtimes";
import type { RuntimeDeclaration, RuntimeName } from "../../runtimes/types";
import { IMAGE_HEALTH_COMMAND, REPO, buildRuntimeImage, docker, dockerOk, healthTimeoutMs, inspectContainer, run, testImage, waitHealthy } from "./harness";
import { HOSTILE } from "./samples";

const FIXTURE = path.join(REPO, "tests/fixtures/compose-fleet.toml");
const CLI = path.join(REPO, "cli/clawlab.js");
const RUN_ID = `clawlab-compose-it-${randomBytes(3).toString("hex")}`;
/** The fleet name (container and volume prefix), the Compose project and the image registry of this run. */
const FLEET = RUN_ID;
const PROJECT = RUN_ID;
const REGISTRY = RUN_ID;
const SOCKET = "/var/run/docker.sock";
const SOCKET_GID = String(fs.statSync(SOCKET).gid);
/**
 * Values no env file parser may bend: quotes, backslashes, #, Unicode, and in the bot token
 * (a plain string to ZeroClaw) line breaks too; the key lands in lists, which refuse them.
 * No "$": clawlab compose refuses it.
 */
const BOT_TOKEN = HOSTILE.replace(/\$/g, "");
const API_KEY = BOT_TOKEN.replace(/[\r\n\u2028]/g, " ");
const SECRETS = {
  CLAWLAB_IT_ANTHROPIC_KEY: API_KEY,
  CLAWLAB_IT_TELEGRAM_TOKEN: BOT_TOKEN,
  CLAWLAB_IT_DATABASE_URL: "postgres://ironclaw:it-password@db.invalid:5432/ironclaw?sslmode=require",
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${RUN_ID}-`));
const composeFile = path.join(dir, COMPOSE_FILE);
let composeBin = "";
let runtimes: { decl: RuntimeDeclaration; port: number; memoryMiB: number }[] = [];
const tags: string[] = [];

/** A TCP port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The real CLI, with the fixture's secrets in its environment and no pulumi on PATH. */
function clawlab(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: dir, env: { PATH: "/usr/bin:/bin", HOME: dir, ...SECRETS }, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** Debian's docker-compose on this run's file and project. */
function compose(args: string[], timeoutMs = 180_000) {
  return run(composeBin, ["-f", composeFile, "-p", PROJECT, ...args], {
    cwd: dir,
    timeoutMs,
    env: { ...process.env, CLAWLAB_REGISTRY: REGISTRY, CLAWLAB_DOCKER_GID: SOCKET_GID },
  });
}

async function composeOk(args: string[]) {
  const result = await compose(args);
  if (result.code !== 0) throw new Error(`docker-compose ${args.join(" ")} exited ${result.code}\n${result.err}${result.out}`);
  return result;
}

/** An env file as Compose hands it to the container: what renderDotenv writes, read strictly. */
function readEnvFile(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([A-Za-z_]\w*)="((?:[^"\\$]|\\[\\"$nr])*)"$/.exec(line);
    if (!match) throw new Error(`${file}: unexpected line ${JSON.stringify(line)}`);
    values[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", r: "\r" })[c] ?? c);
  }
  return values;
}

/** A container's environment, and the entries its image's ENV set. */
async function containerEnv(name: string, image: string): Promise<{ env: Record<string, string>; fromImage: Set<string> }> {
  const inspect = await inspectContainer(name);
  const fromImage = new Set<string>(JSON.parse((await dockerOk(["image", "inspect", "--format", "{{json .Config.Env}}", image])).out));
  const entries = (inspect.Config.Env as string[]).map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]);
  return { env: Object.fromEntries(entries), fromImage };
}

beforeAll(async () => {
  const installed = spawnSync(path.join(REPO, "tests/infra/compose.sh"), [], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  composeBin = installed.stdout.trim();
  if (installed.status !== 0 || !composeBin) throw new Error("tests/infra/compose.sh could not provide docker-compose");

  // This run's own fleet name and free host ports, so parallel runs and other suites never clash.
  const doc = parseToml(fs.readFileSync(FIXTURE, "utf8")) as Record<string, any>;
  doc.fleet.name = FLEET;
  for (const name of Object.keys(doc.runtimes)) doc.runtimes[name].port = await freePort();
  fs.writeFileSync(path.join(dir, "clawlab.toml"), stringify(doc));
  runtimes = declarations
    .filter((d) => d.name in doc.runtimes)
    .map((decl) => ({ decl, port: doc.runtimes[decl.name].port, memoryMiB: doc.runtimes[decl.name].memory_mb ?? decl.memoryMiB }));

  for (const { decl } of runtimes) {
    await buildRuntimeImage(decl.name as RuntimeName);
    const tag = `${REGISTRY}/${decl.name}:${doc.runtimes[decl.name].version ?? decl.defaultVersion}`;
    await dockerOk(["tag", testImage(decl.name as RuntimeName), tag]);
    tags.push(tag);
  }
}, 30 * 60_000);

afterAll(async () => {
  if (composeBin && fs.existsSync(composeFile)) await compose(["down", "-v", "--timeout", "5"]);
  for (const tag of tags) await docker(["image", "rm", tag]); // the tag only: the test image stays
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("clawlab compose + Debian's docker-compose 1.29", () => {
  it("writes the files, and docker-compose starts every runtime healthy", async () => {
    const written = await clawlab(["compose", "--out", dir]);
    expect(written.stderr).toMatch(/nanoclaw: docker_socket = true mounts the host's Docker socket/);
    expect(written.status, written.stderr).toBe(0);
    expect(fs.statSync(path.join(dir, ".clawlab/zeroclaw.env")).mode & 0o777).toBe(0o600);
    const yaml = fs.readFileSync(composeFile, "utf8");
    for (const secret of Object.values(SECRETS)) expect(yaml.includes(secret)).toBe(false);

    const version = await composeOk(["version", "--short"]);
    expect(version.out.trim()).toBe("1.29.2");
    await composeOk(["up", "-d", "--no-build"]);
    await Promise.all(runtimes.map(({ decl }) => waitHealthy(`${FLEET}-${decl.name}`, healthTimeoutMs(decl))));
  }, 300_000);

  it("runs each container as its declared uid, hardened as the fleet runs it", async () => {
    for (const { decl, port, memoryMiB } of runtimes) {
      const name = `${FLEET}-${decl.name}`;
      const c = await inspectContainer(name);
      const at = `${decl.name}: `;
      expect(c.Config.User, at).toBe(`${decl.user.uid}:${decl.user.uid}`);
      expect(c.Config.Hostname, at).toBe(name);
      expect(c.Config.Image, at).toBe(tags.find((t) => t.startsWith(`${REGISTRY}/${decl.name}:`)));
      expect(c.Config.StopTimeout, at).toBe(30);
      expect(c.Config.Healthcheck, at).toEqual({
        Test: ["CMD", IMAGE_HEALTH_COMMAND],
        Interval: 10e9,
        Timeout: 5e9,
        Retries: 3,
        StartPeriod: decl.health.startPeriodSeconds * 1e9,
      });
      expect(c.Config.Labels, at).toMatchObject({
        "dev.clawlab.fleet": FLEET,
        "dev.clawlab.role": decl.name,
        "dev.clawlab.managed-by": "compose",
      });
      const host = c.HostConfig;
      expect(host.CapDrop, at).toEqual(["ALL"]);
      expect(host.CapAdd ?? null, at).toBeNull();
      expect(host.Privileged, at).toBe(false);
      expect(host.SecurityOpt, at).toEqual(["no-new-privileges:true"]);
      expect(host.ReadonlyRootfs, at).toBe(decl.readOnlyRootFilesystem);
      expect(host.Tmpfs ?? {}, at).toEqual(decl.readOnlyRootFilesystem ? { "/tmp": "rw,noexec,nosuid,size=64m" } : {});
      expect(host.Memory, at).toBe(memoryMiB * 1024 * 1024);
      expect(host.RestartPolicy.Name, at).toBe("unless-stopped");
      expect(host.LogConfig, at).toEqual({ Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } });
      expect(host.PortBindings, at).toEqual({ [`${decl.port}/tcp`]: [{ HostIp: "0.0.0.0", HostPort: String(port) }] });
      const state = c.Mounts.find((m: any) => m.Destination === decl.stateDir);
      expect(state, at).toMatchObject({ Type: "volume", Name: `${FLEET}-${decl.name}-state`, RW: true });
      const socket = c.Mounts.find((m: any) => m.Destination === SOCKET);
      expect(host.GroupAdd ?? null, at).toEqual(decl.name === "nanoclaw" ? [SOCKET_GID] : null);
      expect(socket !== undefined, at).toBe(decl.name === "nanoclaw");

      // What the runtime process itself sees (the stand-in reports it), through the published port.
      const res = await fetch(`http://127.0.0.1:${port}/__standin`, { signal: AbortSignal.timeout(5000) });
      const me = (await res.json()) as { uid: number; euid: number; capEff: string; noNewPrivs: number; groups: number[] };
      expect(me.uid, at).toBe(decl.user.uid);
      expect(me.euid, at).toBe(decl.user.uid);
      expect(BigInt(`0x${me.capEff}`), at).toBe(0n);
      expect(me.noNewPrivs, at).toBe(1);
      if (decl.name === "nanoclaw") expect(me.groups, at).toContain(Number(SOCKET_GID));
    }
  });

  it("hands each container exactly its env file, byte for byte, through Compose v1's parser", async () => {
    for (const { decl } of runtimes) {
      const expected = readEnvFile(path.join(dir, `.clawlab/${decl.name}.env`));
      const tag = tags.find((t) => t.startsWith(`${REGISTRY}/${decl.name}:`))!;
      const { env, fromImage } = await containerEnv(`${FLEET}-${decl.name}`, tag);
      // Every variable of the file, exactly; nothing else but the image's own ENV.
      expect(env, decl.name).toMatchObject(expected);
      const extra = Object.entries(env).filter(([k, v]) => !(k in expected) && !fromImage.has(`${k}=${v}`));
      expect(extra, decl.name).toEqual([]);
    }
    const zeroclaw = readEnvFile(path.join(dir, ".clawlab/zeroclaw.env"));
    expect(zeroclaw.ZEROCLAW_providers__models__anthropic__claude__api_key).toBe(API_KEY);
    expect(zeroclaw.ZEROCLAW_channels__telegram__it_telegram__bot_token).toBe(BOT_TOKEN);
    expect(readEnvFile(path.join(dir, ".clawlab/ironclaw.env")).IRONCLAW_REBORN_POSTGRES_URL).toBe(SECRETS.CLAWLAB_IT_DATABASE_URL);
  });

  it("keeps the running fleet as it is when clawlab compose runs again", async () => {
    const envDir = path.join(dir, ".clawlab");
    const before = Object.fromEntries(fs.readdirSync(envDir).map((f) => [f, fs.readFileSync(path.join(envDir, f), "utf8")]));
    const ids = async () => Promise.all(runtimes.map(async ({ decl }) => (await inspectContainer(`${FLEET}-${decl.name}`)).Id as string));
    const idsBefore = await ids();

    const again = await clawlab(["compose", "--out", dir]);
    expect(again.status, again.stderr).toBe(0);
    expect(Object.fromEntries(fs.readdirSync(envDir).map((f) => [f, fs.readFileSync(path.join(envDir, f), "utf8")]))).toEqual(before);
    const up = await composeOk(["up", "-d", "--no-build"]);
    expect(`${up.err}${up.out}`).not.toMatch(/Recreating/);
    expect(await ids()).toEqual(idsBefore);
  }, 120_000);

  it("accepts the example fleet's file too: IronClaw's sidecar, its health-gated start, the socket opt-in", async () => {
    // The committed file's structure (the unit tests prove it is this output), checked by Compose v1's own schema.
    const example = fs.mkdtempSync(path.join(dir, "example-"));
    const written = await clawlab(["compose", "--config", path.join(REPO, "clawlab.example.toml"), "--out", example, "--no-env-files"]);
    expect(written.status, written.stderr).toBe(0);
    fs.mkdirSync(path.join(example, ".clawlab"));
    for (const service of ["zeroclaw", "openclaw", "picoclaw", "nanoclaw", "ironclaw", "ironclaw-db", "nullclaw", "microclaw"]) {
      fs.writeFileSync(path.join(example, `.clawlab/${service}.env`), "", { mode: 0o600 });
    }
    const config = await run(composeBin, ["-f", path.join(example, COMPOSE_FILE), "config"], { cwd: example, env: { ...process.env, CLAWLAB_DOCKER_GID: SOCKET_GID } });
    expect(config.code, config.err).toBe(0);
    const resolved = YAML.parse(config.out);
    expect(resolved.services.ironclaw.depends_on).toEqual({ "ironclaw-db": { condition: "service_healthy" } });
    expect(resolved.networks["ironclaw-db"]).toMatchObject({ name: "lab-ironclaw", internal: true });
    expect(resolved.services.nanoclaw.group_add).toEqual([SOCKET_GID]);
    expect(resolved.services.zeroclaw.image).toBe("ghcr.io/codervisor/zeroclaw:v0.8.4");
    expect(resolved.services.zeroclaw.build.context).toBe(path.join(REPO, "runtimes"));
  });
});
