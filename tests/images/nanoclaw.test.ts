/**
 * NanoClaw's image on a real engine. NanoClaw cannot be built inside a build stage here
 * (its source is on GitHub, which this machine cannot reach, and it is not published to
 * npm). With `$CLAWLAB_ARTIFACTS/nanoclaw/` (the build stage's /out tree, built from an
 * upstream checkout elsewhere; artifacts.ts) the image runs the REAL NanoClaw; without
 * it, the shared stand-in as `node` (ARTIFACT_STAGE=standin), which serves the control
 * socket data/ncl.sock that the HEALTHCHECK probes. Either way the process checks read
 * /proc, and the rest is the real image: the entrypoint renders .env, checks OneCLI and
 * the Docker API, drops privileges.
 *
 * The generic suite (runtime-suite.ts) does not fit a .env yet (its dotenv parse keeps
 * the quotes, and its HOSTILE value holds line breaks, which no .env value can), so this
 * file covers the same ground with NanoClaw's own reader (nanoclaw-dotenv.ts).
 * Agents need a Docker API: the tests opt in to the engine's socket, as the fleet's
 * `docker_socket = true` does, with its group added for the runtime user.
 *
 * The real NanoClaw opens data/ncl.sock about a second after node starts, but only
 * after its channels: with a Telegram token and no way to reach Telegram (as here) it
 * retries for 77 s first. So the real runtime's long-running containers get no Telegram
 * token (one test covers that start on its own); the stand-in's get every sample. Its
 * agents' bind mounts resolve only when the engine sees the state dir at the same path
 * (the CLAW_STATE_DIR warning below; an agent spawn was checked by hand).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMAGE_ENV_CONTRACT, IMAGE_RUNTIME_CONF, imageEntrypoint } from "../../runtimes/image";
import { nanoclaw } from "../../runtimes/nanoclaw/declaration";
import {
  IMAGE_HEALTH_COMMAND,
  RUNTIMES_DIR,
  bakedConfig,
  bakedConfigPath,
  cleanup,
  createVolume,
  docker,
  dockerOk,
  exec,
  healthTimeoutMs,
  inspectContainer,
  inspectImage,
  readFileIn,
  runtimeProcess,
  startContainer,
  waitHealthy,
  waitUnhealthy,
  type Container,
} from "./harness";
import { artifactKind, buildSuiteImage } from "./artifacts";
import { CARRYABLE, readEnvFile } from "./nanoclaw-dotenv";
import { itKeepsItsLifecycle } from "./runtime-suite";
import { HOSTILE, fleetFlags, marker } from "./samples";

const d = nanoclaw;
/** The image runs the stand-in, not the real NanoClaw (no prebuilt artifact). */
const STANDIN_RUNTIME = artifactKind("nanoclaw") === "standin";
const HEALTH_TIMEOUT = healthTimeoutMs(d);
const SOCKET = "/var/run/docker.sock";
/** The engine socket's group, which the runtime user needs to use it. */
const socketGid = String(fs.statSync(SOCKET).gid);
/** The explicit opt-in: the engine's socket, its group for the runtime user. */
const DOCKER_OPT_IN = ["-v", `${SOCKET}:${SOCKET}`, "--group-add", socketGid];
const ONECLI = "http://onecli.internal:10254";
/** What every start needs: a OneCLI the operator chose. */
const REQUIRED = { ONECLI_URL: ONECLI };
/** File targets (.env keys) of the contract. */
const FILE_TARGETS = d.env.filter((v) => v.target !== "env");
/** A value NanoClaw's .env can carry (HOSTILE without its line breaks). */
const HOSTILE_1LINE = HOSTILE.replace(/[\r\n]/g, " ");

/** Every contract variable with a sample; secrets carry findable markers. */
const SAMPLES: Record<string, string> = {
  ...REQUIRED,
  LOG_LEVEL: "debug",
  WEBHOOK_PORT: "40123",
  MAX_CONCURRENT_CONTAINERS: "2",
  ONECLI_API_KEY: `${HOSTILE_1LINE} ${marker("ONECLI_API_KEY")}`,
  CLAW_ASSISTANT_NAME: HOSTILE_1LINE,
  CLAW_TZ: "Europe/Berlin",
  CLAW_ANTHROPIC_API_KEY: `sk-ant-${marker("CLAW_ANTHROPIC_API_KEY")}`,
  CLAW_TELEGRAM_BOT_TOKEN: `123456:${marker("CLAW_TELEGRAM_BOT_TOKEN")} "q" \\ #x`,
};
/** The stand-in serves its test endpoints on the webhook port the sample sets. */
const STANDIN = { CLAW_STANDIN_LISTEN: `0.0.0.0:${SAMPLES.WEBHOOK_PORT}` };
/** What the long-running container gets: every sample, but no Telegram token for the real runtime. */
const FLEET_ENV: Record<string, string> = STANDIN_RUNTIME
  ? { ...SAMPLES, ...STANDIN }
  : Object.fromEntries(Object.entries(SAMPLES).filter(([k]) => k !== "CLAW_TELEGRAM_BOT_TOKEN"));

function needles(env: Record<string, string>): string[] {
  return Object.values(env).flatMap((v) => v.match(/sekret-[a-z0-9]+-[0-9a-f]{8}/g) ?? []);
}

let image = "";
let imageInfo: any;
const runOnce = (env: Record<string, string>, args: readonly string[], flags: readonly string[] = []) =>
  docker(["run", "--rm", ...flags, ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]), image, ...args]);
const start = async (env: Record<string, string>, opts: Parameters<typeof startContainer>[2] = {}) => {
  const c = await startContainer(d, image, { ...opts, env, flags: [...DOCKER_OPT_IN, ...(opts.flags ?? [])] });
  await waitHealthy(c.name, HEALTH_TIMEOUT);
  return c;
};
const dotenvIn = async (c: Container) => readEnvFile((await readFileIn(c.name, d.config.path)).toString("utf8"));
/** The working directory of the runtime process. */
const cwdOf = async (c: Container, pid: number) => (await exec(c.name, ["readlink", `/proc/${pid}/cwd`])).out.trim();

describe(`NanoClaw image (nanoclaw, ${STANDIN_RUNTIME ? "stand-in" : "real"} runtime)`, () => {
  beforeAll(async () => {
    image = await buildSuiteImage("nanoclaw");
    imageInfo = await inspectImage(image);
  }, 30 * 60_000);
  afterAll(async () => {
    await cleanup();
  }, 120_000);

  // ------------------------------------------------------------ the image itself

  it("has the template's metadata: user, tini, entrypoint, socket health probe, port, volume, OCI labels", () => {
    const cfg = imageInfo.Config;
    expect(cfg.User).toBe("10004:10004");
    expect(cfg.Entrypoint).toEqual(imageEntrypoint(nanoclaw));
    expect(cfg.Cmd).toEqual(["nanoclaw"]);
    expect(cfg.Healthcheck.Test).toEqual(["CMD", IMAGE_HEALTH_COMMAND]);
    expect(cfg.Healthcheck.StartPeriod).toBe(d.health.startPeriodSeconds * 1e9);
    expect(Object.keys(cfg.ExposedPorts ?? {})).toEqual([`${d.port}/tcp`]);
    expect(Object.keys(cfg.Volumes ?? {})).toEqual([d.stateDir]);
    expect(cfg.WorkingDir).toBe(d.stateDir);
    expect(cfg.Labels["org.opencontainers.image.source"]).toBe(d.upstream);
    expect(cfg.Labels["org.opencontainers.image.version"]).toBe(d.defaultVersion);
    expect(cfg.Labels["org.opencontainers.image.revision"]).toMatch(/^[0-9a-f]{40}$/);
    expect(cfg.Labels["org.clawlab.channels-revision"]).toMatch(/^[0-9a-f]{40}$/);
    if (STANDIN_RUNTIME) expect(cfg.Labels["org.clawlab.artifact"]).toBe("standin");
    else expect(cfg.Labels["org.clawlab.artifact"]).toMatch(/^clawlab-test\/nanoclaw-artifact:/);
  });

  it("holds the declaration's files and the socket probe at the fixed paths, byte for byte", async () => {
    for (const [inImage, inRepo] of [
      [IMAGE_RUNTIME_CONF, "runtime.conf"],
      [IMAGE_ENV_CONTRACT, "env.contract"],
      [bakedConfigPath(d.config.baked), d.config.baked],
      ["/usr/local/lib/clawlab/health-socket.sh", "health-socket.sh"],
    ] as const) {
      const r = await runOnce({}, [inImage], ["--entrypoint", "cat"]);
      expect(r.code, r.err).toBe(0);
      expect(r.stdout.equals(fs.readFileSync(path.join(RUNTIMES_DIR, "nanoclaw", inRepo))), inImage).toBe(true);
    }
  });

  it("has no setuid/setgid file, no sudo, and no secret in its ENV or history", async () => {
    const suid = await runOnce({}, ["/", "-xdev", "-type", "f", "-perm", "/6000"], ["--entrypoint", "find"]);
    expect(suid.out.trim()).toBe("");
    const sudo = await runOnce({}, ["-c", "command -v sudo su >/dev/null 2>&1 && echo found || echo none"], ["--entrypoint", "sh"]);
    expect(sudo.out.trim()).not.toBe("found");
    for (const e of imageInfo.Config.Env as string[]) expect(e.slice(0, e.indexOf("="))).not.toMatch(/(API_KEY|TOKEN|PASSWORD|SECRET)$/);
    const history = await dockerOk(["history", "--no-trunc", "--format", "{{.CreatedBy}}", image]);
    expect(history.out).not.toMatch(/(API_KEY|TOKEN|PASSWORD|SECRET)[A-Z_]*=\S/);
  });

  it("passes check-baked, and print-config with no overrides is the baked .env byte for byte", async () => {
    const baked = bakedConfig(d);
    const parsed = readEnvFile(baked.toString("utf8"));
    expect(parsed).toEqual({ ASSISTANT_NAME: "Andy", TZ: "UTC" }); // empty values count as unset
    for (const v of FILE_TARGETS) expect(baked.toString("utf8")).toMatch(new RegExp(`^${v.target}=`, "m"));
    const check = await runOnce({}, ["check-baked"]);
    expect(check.code, check.err).toBe(0);
    const printed = await runOnce({}, ["print-config"]);
    expect(printed.code, printed.err).toBe(0);
    expect(printed.stdout.equals(baked)).toBe(true);
  });

  it("passes any other command through untouched, even with a bad value set", async () => {
    const r = await runOnce({ CLAW_ASSISTANT_NAME: "a\nb", WEBHOOK_PORT: "99999" }, ["sh", "-c", "id -u"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe("10004\n");
    expect(r.err).toBe("");
  });

  // ------------------------------------------------------------ the contract

  it("print-config renders every override for NanoClaw's reader, secrets masked", async () => {
    const r = await runOnce(SAMPLES, ["print-config"]);
    expect(r.code, r.err).toBe(0);
    const env = readEnvFile(r.out);
    for (const v of FILE_TARGETS) expect(env[v.target], v.name).toBe(v.secret ? "***" : SAMPLES[v.name]);
    for (const n of needles(SAMPLES)) expect(r.out + r.err).not.toContain(n);
  });

  it.each(CARRYABLE.map((v, i) => [i, JSON.stringify(v).slice(0, 40), v] as const))(
    "print-config holds carryable value #%i (%s) byte-exact as NanoClaw reads it",
    async (_i, _shown, value) => {
      const r = await runOnce({ CLAW_ASSISTANT_NAME: value, CLAW_TZ: value }, ["print-config"]);
      expect(r.code, r.err).toBe(0);
      const env = readEnvFile(r.out, ["ASSISTANT_NAME", "TZ"]);
      expect(env.ASSISTANT_NAME).toBe(value);
      expect(env.TZ).toBe(value);
      // No line of the file but the two values changed: nothing was injected.
      expect(r.out.split("\n").length).toBe(bakedConfig(d).toString("utf8").split("\n").length);
    },
  );

  it.each([
    ["CLAW_ASSISTANT_NAME", "two\nlines"],
    ["CLAW_TZ", "UTC\r"],
    ["CLAW_TELEGRAM_BOT_TOKEN", `${marker("CLAW_TELEGRAM_BOT_TOKEN")}\nTELEGRAM_BOT_TOKEN="injected"`],
    ["CLAW_ANTHROPIC_API_KEY", "\r\nANTHROPIC_BASE_URL=http://evil"],
    ["ONECLI_API_KEY", `${marker("ONECLI_API_KEY")}\nONECLI_URL=http://evil`],
  ] as const)("a line break in %s stops print-config and the start, naming it, never echoing it", async (name, value) => {
    for (const args of [["print-config"], []]) {
      const r = await runOnce({ ...REQUIRED, [name]: value }, args, [...fleetFlags(d), ...DOCKER_OPT_IN]);
      expect(r.code).not.toBe(0);
      expect(r.err).toContain(`clawlab: ${name}:`);
      expect(r.err).toMatch(/line break/);
      for (const part of value.split(/[\r\n]+/).filter((p) => p.length > 3)) expect(r.out + r.err).not.toContain(part);
      expect(r.out).not.toMatch(/serving/);
    }
  });

  it.each([
    ["LOG_LEVEL", "verbose"],
    ["WEBHOOK_PORT", "99999"],
    ["MAX_CONCURRENT_CONTAINERS", "12x"],
    ["CLAW_ASSISTANT_NAME", ""],
  ] as const)("a bad %s (%j) stops the start, naming the variable", async (name, value) => {
    const r = await runOnce({ ...REQUIRED, [name]: value }, [], [...fleetFlags(d), ...DOCKER_OPT_IN]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`clawlab: ${name}:`);
    expect(r.out).not.toMatch(/serving/);
  });

  it("reads a secret from NAME_FILE, and refuses NAME together with NAME_FILE", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-nc-secret-"));
    fs.chmodSync(dir, 0o755);
    const file = path.join(dir, "token");
    const token = `oc_${marker("ONECLI_API_KEY")}`;
    fs.writeFileSync(file, `${token}\n`, { mode: 0o644 });
    const mount = ["--mount", `type=bind,src=${file},dst=/run/secrets/token,readonly`];
    try {
      const both = await runOnce({ ONECLI_API_KEY: token, ONECLI_API_KEY_FILE: "/run/secrets/token" }, ["print-config"], mount);
      expect(both.code).not.toBe(0);
      expect(both.err).toContain("ONECLI_API_KEY");
      const c = await start({ ...REQUIRED, ONECLI_API_KEY_FILE: "/run/secrets/token" }, { flags: mount });
      expect((await dotenvIn(c)).ONECLI_API_KEY).toBe(token);
      const rt = await runtimeProcess(c.name);
      expect(rt.env.ONECLI_API_KEY).toBeUndefined();
      expect(rt.env.ONECLI_API_KEY_FILE).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, HEALTH_TIMEOUT + 30_000);

  // ------------------------------------------------------------ OneCLI and the Docker API

  describe("refuses what NanoClaw would get wrong late, naming the variable", () => {
    it("ONECLI_URL unset (upstream would use the OneCLI cloud) or not a URL", async () => {
      const unset = await runOnce({}, [], [...fleetFlags(d), ...DOCKER_OPT_IN]);
      expect(unset.code).not.toBe(0);
      expect(unset.err).toContain("clawlab: ONECLI_URL: not set");
      expect(unset.err).toContain("https://app.onecli.sh");
      const bad = await runOnce({ ONECLI_URL: "onecli:10254" }, [], [...fleetFlags(d), ...DOCKER_OPT_IN]);
      expect(bad.code).not.toBe(0);
      expect(bad.err).toContain("clawlab: ONECLI_URL: must be an http");
    });

    it("the OneCLI cloud chosen explicitly starts, with a warning", async () => {
      const c = await start({ ONECLI_URL: "https://app.onecli.sh" });
      const logs = await docker(["logs", c.name]);
      expect(logs.err).toContain("clawlab: WARNING: ONECLI_URL: agent credentials are brokered by the OneCLI cloud service");
    }, HEALTH_TIMEOUT + 30_000);

    it.each([
      ["no DOCKER_HOST and no socket", {}, [], /DOCKER_HOST: not set, and no Docker socket at \/var\/run\/docker.sock/],
      ["the socket without its group", {}, ["-v", `${SOCKET}:${SOCKET}`], /DOCKER_HOST: .*permission denied .*--group-add/],
      ["a unix socket path that does not exist", { DOCKER_HOST: "unix:///run/nothing.sock" }, [], /DOCKER_HOST: the Docker API at this unix socket does not answer: cannot connect/],
      ["a tcp address nothing listens on", { DOCKER_HOST: "tcp://127.0.0.1:2375" }, [], /DOCKER_HOST: the Docker API at this TCP address does not answer/],
      ["an unknown scheme", { DOCKER_HOST: "http://docker:2375" }, [], /DOCKER_HOST: must be unix:\/\/\/path, tcp:\/\/host\[:port\] or ssh:\/\//],
    ] as const)("no usable Docker API: %s", async (_what, env, flags, message) => {
      const r = await runOnce({ ...REQUIRED, ...env }, [], [...fleetFlags(d), ...flags]);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(message);
      expect(r.out).not.toMatch(/serving/);
    });

    it("a unix socket that is not a Docker API is refused (GET /_ping)", async () => {
      // The stand-in's own control socket from a first container answers, but not as Docker.
      const vol = await createVolume("clawlab-it-nanoclaw-ping");
      const c = await start(REQUIRED, { volume: vol });
      const r = await runOnce({ ...REQUIRED, DOCKER_HOST: "unix:///peer/data/ncl.sock" }, [], [...fleetFlags(d), "-v", `${vol}:/peer`]);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/DOCKER_HOST: the Docker API at this unix socket does not answer: (not a Docker API|no answer)/);
      await dockerOk(["stop", c.name]);
    }, HEALTH_TIMEOUT + 30_000);

    it("DOCKER_HOST=unix:// to the engine's socket starts without the host-socket warning", async () => {
      const c = await start({ ...REQUIRED, DOCKER_HOST: `unix://${SOCKET}` });
      const logs = await docker(["logs", c.name]);
      expect(logs.err).not.toContain("WARNING: DOCKER_HOST");
      expect((await runtimeProcess(c.name)).env.DOCKER_HOST).toBe(`unix://${SOCKET}`);
    }, HEALTH_TIMEOUT + 30_000);

    it("warns when the engine does not see the state dir at the same path (agents' bind mounts would be empty)", async () => {
      // A named volume (the fleet's today), and a bind mount of another host directory.
      const vol = await start({ ...REQUIRED, DOCKER_HOST: `unix://${SOCKET}` });
      const volLogs = await docker(["logs", vol.name]);
      expect(volLogs.err).toContain(`clawlab: WARNING: CLAW_STATE_DIR: the Docker engine mounts ${d.stateDir} from volume /`);
      expect(volLogs.err).toContain(`mount the host directory ${d.stateDir} at the same path`);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-nc-state-"));
      fs.chownSync(dir, d.user.uid, d.user.uid);
      fs.chmodSync(dir, 0o700);
      try {
        const bind = await start(REQUIRED, { volume: dir });
        const bindLogs = await docker(["logs", bind.name]);
        expect(bindLogs.err).toContain(`clawlab: WARNING: CLAW_STATE_DIR: the Docker engine mounts ${d.stateDir} from bind ${dir}, not from the same path`);
        await dockerOk(["stop", bind.name]);
      } finally {
        await docker(["run", "--rm", "--user", "0:0", "-v", `${dir}:/d`, "--entrypoint", "sh", image, "-c", "rm -rf /d/* /d/.[!.]*"]);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }, 2 * HEALTH_TIMEOUT + 30_000);
  });

  // ------------------------------------------------------------ what the agents mount

  it("copies the image's agent tree into the state dir (agents mount it from there), again only when it changed", async () => {
    // The stand-in image has no /opt/nanoclaw/container; any directory of the image stands for it.
    const tree = STANDIN_RUNTIME ? "/usr/local/share/clawlab" : "/opt/nanoclaw/container";
    const vol = await createVolume("clawlab-it-nanoclaw-tree");
    const c = await start({ ...REQUIRED, ...(STANDIN_RUNTIME ? { NANOCLAW_AGENT_TREE: tree } : {}) }, { volume: vol });
    if (!STANDIN_RUNTIME) expect((await exec(c.name, ["test", "-f", `${d.stateDir}/container/agent-runner/src/index.ts`])).code).toBe(0);
    const same = await exec(c.name, ["diff", "-r", tree, `${d.stateDir}/container`]);
    expect(same.code, same.out + same.err).toBe(0);
    const inode = async () => (await exec(c.name, ["stat", "-c", "%i", `${d.stateDir}/container`])).out.trim();
    const before = await inode();
    await dockerOk(["restart", "-t", "10", c.name]);
    await waitHealthy(c.name, HEALTH_TIMEOUT, true);
    expect(await inode()).toBe(before);
    // A changed copy (an older image's tree) is replaced.
    await exec(c.name, ["sh", "-c", `echo stale > ${d.stateDir}/container/stale-file`]);
    await dockerOk(["restart", "-t", "10", c.name]);
    await waitHealthy(c.name, HEALTH_TIMEOUT, true);
    const again = await exec(c.name, ["diff", "-r", tree, `${d.stateDir}/container`]);
    expect(again.code, again.out + again.err).toBe(0);
    await dockerOk(["stop", c.name]);
  }, 3 * HEALTH_TIMEOUT + 30_000);

  // ------------------------------------------------------------ a started container

  describe("started the fleet's way (uid, cap-drop ALL, no-new-privileges, read-only, tmpfs /tmp, volume, socket opt-in)", () => {
    let c: Container;
    const env = FLEET_ENV;
    beforeAll(async () => {
      c = await start(env);
    }, HEALTH_TIMEOUT + 30_000);

    it("becomes healthy through the socket probe, and warns that the host socket is root on the host", async () => {
      const info = await inspectContainer(c.name);
      expect(info.State.Health.Status).toBe("healthy");
      expect(info.State.Health.Log.at(-1).Output).toBe(`clawlab-health: ok: connected to ${d.health.path}\n`);
      const logs = await docker(["logs", c.name]);
      expect(logs.err).toContain("clawlab: WARNING: DOCKER_HOST: not set: agents are spawned through the Docker socket");
      expect(logs.err).toContain("clawlab: WARNING: CLAW_ANTHROPIC_API_KEY");
      expect(logs.err).toContain("clawlab: WARNING: CLAW_STATE_DIR: the Docker engine mounts");
    });

    it("runs NanoClaw as uid 10004 from the state dir, no capabilities, under tini, with the socket's group", async () => {
      expect((await exec(c.name, ["cat", "/proc/1/comm"])).out.trim()).toBe("tini");
      const rt = await runtimeProcess(c.name);
      expect(rt.uids).toEqual([10004, 10004, 10004, 10004]);
      expect(rt.gids).toEqual([10004, 10004, 10004, 10004]);
      // The socket's group (docker also lists the primary gid for --user uid:gid).
      expect(rt.groups.filter((g) => g !== 10004)).toEqual([Number(socketGid)]);
      expect(rt.capEff).toBe(0n);
      expect(rt.noNewPrivs).toBe(1);
      expect(await cwdOf(c, rt.pid)).toBe(d.stateDir);
      expect(rt.argv).toEqual(["node", "/opt/nanoclaw/dist/index.js"]);
    });

    it("hands every env-target variable to NanoClaw byte-exact; secrets that live in .env are not in its env", async () => {
      const rt = await runtimeProcess(c.name);
      for (const v of d.env.filter((x) => x.target === "env" && env[x.name] !== undefined)) expect(rt.env[v.name], v.name).toBe(env[v.name]);
      for (const v of FILE_TARGETS.filter((x) => x.secret)) expect(rt.env[v.name], v.name).toBeUndefined();
      expect(rt.env.HOME).toBe(d.stateDir);
      // The OneCLI SDK writes the CA files it mounts into agents to os.tmpdir(): inside the state dir.
      expect(rt.env.TMPDIR).toBe(`${d.stateDir}/tmp`);
    });

    if (!STANDIN_RUNTIME) it("is NanoClaw itself, up, reading the rendered .env with its own config module", async () => {
      const logs = await docker(["logs", c.name]);
      expect(logs.out).toContain("NanoClaw running");
      expect(logs.out).toContain(`ncl CLI server listening`);
      // dist/config.js as NanoClaw loads it, from the state dir, with none of the values in env.
      const script = `const c = await import("/opt/nanoclaw/dist/config.js"); process.stdout.write(JSON.stringify({ name: c.ASSISTANT_NAME, tz: c.TIMEZONE, onecli: c.ONECLI_URL, key: c.ONECLI_API_KEY, max: c.MAX_CONCURRENT_CONTAINERS }))`;
      const r = await exec(c.name, ["env", "-u", "CLAW_ASSISTANT_NAME", "-u", "CLAW_TZ", "-u", "ONECLI_API_KEY", "sh", "-c", `cd ${d.stateDir} && exec node --input-type=module -e '${script}'`]);
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out)).toEqual({ name: env.CLAW_ASSISTANT_NAME, tz: env.CLAW_TZ, onecli: env.ONECLI_URL, key: env.ONECLI_API_KEY, max: Number(env.MAX_CONCURRENT_CONTAINERS) });
    });

    it("renders .env (0600, owned by the uid) that NanoClaw's reader parses to every value", async () => {
      const parsed = await dotenvIn(c);
      for (const v of FILE_TARGETS) expect(parsed[v.target], v.name).toBe(env[v.name]);
      const st = await exec(c.name, ["stat", "-c", "%a %u:%g", d.config.path]);
      expect(st.out.trim()).toBe("600 10004:10004");
      const dirs = await exec(c.name, ["sh", "-c", `cd ${d.stateDir} && stat -c '%n %a %u' data store groups logs tmp`]);
      expect(dirs.out.trim().split("\n")).toEqual(["data 700 10004", "store 700 10004", "groups 700 10004", "logs 700 10004", "tmp 700 10004"]);
    });

    it("cannot write outside its state dir and /tmp (read-only root filesystem)", async () => {
      for (const p of ["/clawlab-probe", "/etc/clawlab-probe", "/opt/nanoclaw/clawlab-probe", "/usr/local/share/clawlab/clawlab-probe", "/var/tmp/clawlab-probe"]) {
        const r = await exec(c.name, ["sh", "-c", `: > '${p}'`]);
        expect(r.code, p).not.toBe(0);
        expect(r.err).toMatch(/Read-only file system|Permission denied/);
      }
      for (const p of [`${d.stateDir}/clawlab-probe`, "/tmp/clawlab-probe"]) {
        const r = await exec(c.name, ["sh", "-c", `: > '${p}' && rm '${p}'`]);
        expect(r.code, `${p}: ${r.err}`).toBe(0);
      }
    });

    it("turns unhealthy when the control socket is gone, healthy again after a restart", async () => {
      await exec(c.name, ["rm", "-f", d.health.path]);
      await waitUnhealthy(c.name);
      const info = await inspectContainer(c.name);
      expect(info.State.Health.Log.at(-1).Output).toContain(`no socket at ${d.health.path}`);
      await dockerOk(["restart", "-t", "10", c.name]);
      await waitHealthy(c.name, HEALTH_TIMEOUT, true);
    }, 60_000);

    itKeepsItsLifecycle({
      container: () => c,
      image: () => image,
      configPath: d.config.path,
      configLabel: ".env",
      healthTimeout: HEALTH_TIMEOUT,
      needles: () => needles(SAMPLES),
      stopSignal: () => imageInfo?.Config?.StopSignal || "SIGTERM",
      standin: STANDIN_RUNTIME,
    });
  });

  if (!STANDIN_RUNTIME) it("with a Telegram token and Telegram out of reach, turns healthy within the start period (upstream retries first)", async () => {
    const t0 = Date.now();
    const c = await start({ ...REQUIRED, CLAW_TELEGRAM_BOT_TOKEN: SAMPLES.CLAW_TELEGRAM_BOT_TOKEN! });
    const seconds = (Date.now() - t0) / 1000;
    expect(seconds).toBeLessThan(d.health.startPeriodSeconds);
    const logs = await docker(["logs", c.name]);
    expect(logs.err).toContain("Failed to start channel adapter");
    expect(logs.out + logs.err).not.toContain(marker("CLAW_TELEGRAM_BOT_TOKEN"));
    await dockerOk(["stop", c.name]);
  }, HEALTH_TIMEOUT + 30_000);

  describe("started as root (ownership fixed where wrong, then privileges dropped)", () => {
    it("drops to the uid with exactly CLAW_GROUPS (the socket's group) and no capabilities", async () => {
      const vol = await createVolume("clawlab-it-nanoclaw-root");
      await dockerOk(["run", "--rm", "--user", "0:0", "-v", `${vol}:${d.stateDir}`, "--entrypoint", "sh", image, "-c", `mkdir -p ${d.stateDir}/data && : > ${d.stateDir}/data/f && chown -R 0:0 ${d.stateDir}/data`]);
      const c = await startContainer(d, image, {
        fleet: false,
        volume: vol,
        env: { ...REQUIRED, CLAW_GROUPS: socketGid },
        flags: ["--user", "0:0", "--security-opt", "no-new-privileges", "-v", `${SOCKET}:${SOCKET}`],
      });
      await waitHealthy(c.name, HEALTH_TIMEOUT);
      const rt = await runtimeProcess(c.name);
      expect(rt.uids).toEqual([10004, 10004, 10004, 10004]);
      expect(rt.gids).toEqual([10004, 10004, 10004, 10004]);
      expect(rt.groups).toEqual([Number(socketGid)]);
      expect(rt.capEff).toBe(0n);
      expect(rt.capPrm).toBe(0n);
      const owners = await exec(c.name, ["stat", "-c", "%u:%g", `${d.stateDir}/data`, `${d.stateDir}/data/f`, d.config.path]);
      expect(owners.out.trim().split("\n")).toEqual(["10004:10004", "10004:10004", "10004:10004"]);
    }, HEALTH_TIMEOUT + 60_000);
  });
});
