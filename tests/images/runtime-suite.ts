/**
 * The generic real-Docker test suite of one runtime image, driven by its declaration:
 * `describeRuntimeImage(decl, options)` in `tests/images/<name>.test.ts`. Every
 * contract variable gets a sample value by type (strings are hostile: quotes,
 * backslashes, newlines, `[table]` and `key = v` lines, `: ` and ` #`, non-ASCII),
 * and the suite checks that it lands where the contract says, byte-exact, with
 * secrets masked and never leaked. See tests/images/README.md.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMAGE_ENV_CONTRACT, IMAGE_RUNTIME_CONF, imageEntrypoint } from "../../runtimes/image";
import type { EnvVar, RuntimeDeclaration } from "../../runtimes/types";
import { artifactBuild, artifactKind } from "./artifacts";
import {
  IMAGE_HEALTH_COMMAND,
  RUNTIMES_DIR,
  bakedConfig,
  bakedConfigPath,
  buildRuntimeImage,
  cleanup,
  createVolume,
  docker,
  dockerOk,
  exec,
  containerProcesses,
  getPath,
  healthTimeoutMs,
  httpGet,
  inspectContainer,
  inspectImage,
  parseConfig,
  readFileIn,
  runtimeProcess,
  standinState,
  startContainer,
  startService,
  waitHealthy,
  waitUnhealthy,
  type BuildOptions,
  type Container,
} from "./harness";
import { IMAGE_OPTIONS } from "./options";
import {
  BAD_VALUES,
  HOSTILE,
  contractSamples,
  expectedTyped,
  fleetFlags,
  portOf,
  secretNeedles,
  type Sample,
  type SampleOptions,
} from "./samples";

export { BAD_VALUES, HOSTILE, expectedTyped, fleetFlags, portOf };

export interface SuiteOptions extends SampleOptions {
  /** Runtime-specific tests, run inside the suite's describe with its context. */
  readonly extra?: (ctx: SuiteContext) => void;
  /** The runtimes/ folder the image is built from and checked against (a scaffold in a temp copy); default this repository's. */
  readonly runtimesDir?: string;
  /** The test image's tag; default clawlab-test/<name>:latest. */
  readonly tag?: string;
}

/** What runtime-specific tests get from the suite. */
export interface SuiteContext {
  readonly decl: RuntimeDeclaration;
  /** The test image tag (built in beforeAll). */
  image(): string;
  /** The image runs the test stand-in, not the real runtime (artifacts.ts decides): the /__standin checks apply. */
  readonly standin: boolean;
  /** The generic samples: concrete variable name → value (required ones included). */
  readonly samples: Record<string, string>;
  readonly required: Record<string, string>;
  /** Starts the image like the fleet does and waits until healthy. */
  start(env: Record<string, string>, opts?: Parameters<typeof startContainer>[2]): Promise<Container>;
  /** `docker run --rm IMAGE ARGS` with env (no fleet flags). */
  runOnce(env: Record<string, string>, args: readonly string[], flags?: readonly string[]): Promise<Awaited<ReturnType<typeof docker>>>;
}

/** What print-config shows for a secret file target. */
function masked(v: EnvVar): unknown {
  return v.type === "list" || v.type === "int-list" ? ["***"] : "***";
}

/** True when a dotted path exists in a parsed config (a null value counts). */
/** What the lifecycle checks need from a suite: a container started the fleet's way, and its image's facts. */
export interface LifecycleContext {
  readonly container: () => Container;
  readonly image: () => string;
  /** The rendered native config, which must not change across restarts. */
  readonly configPath: string;
  /** How the test titles name that file (`config`, `.env`). */
  readonly configLabel: string;
  readonly healthTimeout: number;
  /** Markers of the secret values the container was started with. */
  readonly needles: () => readonly string[];
  /** The image's stop signal. */
  readonly stopSignal: () => string;
  /** The stand-in logs the signal it got; a real runtime is only held to its exit code. */
  readonly standin: boolean;
}

/**
 * The lifecycle checks every image passes, registered inside a `describe` whose container
 * is started the fleet's way: ten restarts with the same config, no secret in logs or image
 * metadata, a clean stop on the image's stop signal. Shared by the generic suite and the
 * suites of runtimes it cannot describe (NanoClaw).
 */
export function itKeepsItsLifecycle(ctx: LifecycleContext): void {
  it(`survives ten restarts with a byte-identical ${ctx.configLabel}, healthy each time`, async () => {
    const c = ctx.container();
    const before = await readFileIn(c.name, ctx.configPath);
    for (let i = 0; i < 10; i++) {
      await dockerOk(["restart", "-t", "10", c.name]);
      await waitHealthy(c.name, ctx.healthTimeout);
      const now = await readFileIn(c.name, ctx.configPath);
      expect(now.equals(before), `restart ${i + 1}`).toBe(true);
    }
  }, 10 * (ctx.healthTimeout + 15_000));

  it("never shows a secret in the logs or the image metadata", async () => {
    const c = ctx.container();
    const logs = await docker(["logs", c.name]);
    const inspect = await docker(["image", "inspect", ctx.image()]);
    const history = await docker(["history", "--no-trunc", ctx.image()]);
    for (const needle of ctx.needles()) {
      expect(logs.out + logs.err, "logs").not.toContain(needle);
      expect(inspect.out, "image inspect").not.toContain(needle);
      expect(history.out, "history").not.toContain(needle);
    }
  });

  it("stops on the image's stop signal, forwarded by tini, with exit code 0", async () => {
    const c = ctx.container();
    const t0 = Date.now();
    await dockerOk(["stop", "-t", "10", c.name]);
    const info = await inspectContainer(c.name);
    expect(info.State.ExitCode).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000);
    if (ctx.standin) {
      const logs = await docker(["logs", c.name]);
      expect(logs.out).toContain(`got ${ctx.stopSignal()}`);
    }
  }, 30_000);
}

export function hasPath(obj: any, dotted: string): boolean {
  const segs = dotted.split(".");
  const last = segs.pop()!;
  const parent = segs.length ? getPath(obj, segs.join(".")) : obj;
  return parent !== null && typeof parent === "object" && Object.prototype.hasOwnProperty.call(parent, Array.isArray(parent) ? Number(last) : last);
}

/** The generic test suite of a runtime image. */
export function describeRuntimeImage(decl: RuntimeDeclaration, suiteOptions: SuiteOptions = {}): void {
  const options: SuiteOptions = { ...IMAGE_OPTIONS[decl.name], ...suiteOptions };
  const runtimesDir = options.runtimesDir ?? RUNTIMES_DIR;
  // A scaffold in another copy's runtimes/ has no real build here: always the stand-in.
  const standin = options.runtimesDir !== undefined || artifactKind(decl.name) === "standin";
  const required = options.required ?? {};
  const healthTimeout = healthTimeoutMs(decl);
  const START = healthTimeout + 30_000;

  const samples: Sample[] = contractSamples(decl, options).filter((s) => standin || !options.unreachable?.includes(s.name));
  const allEnv: Record<string, string> = { ...required, ...Object.fromEntries(samples.map((s) => [s.name, s.value])) };
  const fileTargets = samples.filter((s) => s.v.target !== "env");
  const envTargets = samples.filter((s) => s.v.target === "env");
  const stopSignal = (): string => imageInfo?.Config?.StopSignal || "SIGTERM";

  let image = "";
  let imageInfo: any;
  let artifactStage = "standin";
  const runOnce = (env: Record<string, string>, args: readonly string[], flags: readonly string[] = []) =>
    docker(["run", "--rm", ...flags, ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]), image, ...args]);
  // The private network of the service a real runtime needs, joined by every start.
  let serviceFlags: string[] = [];
  const start = async (env: Record<string, string>, opts: Parameters<typeof startContainer>[2] = {}) => {
    const c = await startContainer(decl, image, { ...opts, env, flags: [...serviceFlags, ...(opts.flags ?? [])] });
    await waitHealthy(c.name, healthTimeout);
    return c;
  };

  describe(`${decl.title} image (${decl.name})`, () => {
    beforeAll(async () => {
      const build: BuildOptions = options.runtimesDir !== undefined ? { runtimesDir, tag: options.tag } : await artifactBuild(decl.name);
      artifactStage = build.artifact ?? "standin";
      image = await buildRuntimeImage(decl.name, build);
      imageInfo = await inspectImage(image);
      if (!standin && options.service) serviceFlags = ["--network", await startService(options.service)];
    }, 30 * 60_000);
    afterAll(async () => {
      await cleanup();
    }, 120_000);

    // ------------------------------------------------------------ the image itself

    it("has the template's metadata: user, tini, entrypoint, health probe, port, volume, OCI labels", () => {
      const cfg = imageInfo.Config;
      expect(cfg.User).toBe(`${decl.user.uid}:${decl.user.uid}`);
      expect(cfg.Entrypoint).toEqual(imageEntrypoint(decl));
      expect(cfg.Healthcheck.Test).toEqual(["CMD", IMAGE_HEALTH_COMMAND]);
      expect(cfg.Healthcheck.StartPeriod).toBe(decl.health.startPeriodSeconds * 1e9);
      expect(Object.keys(cfg.ExposedPorts ?? {})).toEqual([`${decl.port}/tcp`]);
      expect(Object.keys(cfg.Volumes ?? {})).toEqual([decl.stateDir]);
      expect(cfg.Labels["org.opencontainers.image.source"]).toBe(decl.upstream);
      expect(cfg.Labels["org.opencontainers.image.version"]).toBe(decl.defaultVersion);
      expect(cfg.Labels["org.opencontainers.image.revision"]).toMatch(/^[0-9a-f]{40}$/);
      expect(cfg.Labels["org.clawlab.artifact"]).toBe(artifactStage);
      expect(Array.isArray(cfg.Cmd) && cfg.Cmd.length > 0).toBe(true);
    });

    it("holds the declaration's files at the fixed paths, byte for byte", async () => {
      for (const [inImage, inRepo] of [
        [IMAGE_RUNTIME_CONF, "runtime.conf"],
        [IMAGE_ENV_CONTRACT, "env.contract"],
        [bakedConfigPath(decl.config.baked), decl.config.baked],
      ] as const) {
        const r = await runOnce({}, [inImage], ["--entrypoint", "cat"]);
        expect(r.code, r.err).toBe(0);
        expect(r.stdout.equals(fs.readFileSync(path.join(runtimesDir, decl.name, inRepo))), inImage).toBe(true);
      }
    });

    it("has no setuid/setgid file, no sudo, and no secret in its ENV, labels or history", async () => {
      const suid = await runOnce({}, ["/", "-xdev", "-type", "f", "-perm", "/6000"], ["--entrypoint", "find"]);
      expect(suid.out.trim()).toBe("");
      const sudo = await runOnce({}, ["-c", "command -v sudo su >/dev/null 2>&1 && echo found || echo none"], ["--entrypoint", "sh"]);
      expect(sudo.out.trim()).not.toBe("found");
      const envNames = (imageInfo.Config.Env as string[]).map((e) => e.slice(0, e.indexOf("=")));
      const secretNames = decl.env.filter((v) => v.secret).map((v) => v.name);
      for (const n of envNames) {
        expect(secretNames.some((s) => new RegExp(`^${s.replace(/\*/g, ".*")}$`).test(n)), n).toBe(false);
        expect(n, "secret-like ENV name").not.toMatch(/(API_KEY|TOKEN|PASSWORD|SECRET)$/);
      }
      const history = await dockerOk(["history", "--no-trunc", "--format", "{{.CreatedBy}}", image]);
      expect(history.out).not.toMatch(/(API_KEY|TOKEN|PASSWORD|SECRET)[A-Z_]*=\S/);
    });

    it("passes the baked config check: every file target exists, no-override render is byte-exact", async () => {
      const baked = bakedConfig(decl, runtimesDir);
      const parsed = parseConfig(decl.config.format, baked.toString("utf8"));
      for (const s of fileTargets) expect(hasPath(parsed, s.v.target), `${s.name} → ${s.v.target}`).toBe(true);
      const check = await runOnce({}, ["check-baked"]);
      expect(check.code, check.err).toBe(0);
      const printed = await runOnce({}, ["print-config"]);
      expect(printed.code, printed.err).toBe(0);
      expect(printed.stdout.equals(baked)).toBe(true);
    });

    it("passes any other command through untouched: `sh -c 'id -u'` (even with a bad value set)", async () => {
      const bad = samples.find((s) => BAD_VALUES[s.v.type]);
      const env = bad ? { [bad.name]: BAD_VALUES[bad.v.type]! } : {};
      const r = await runOnce(env, ["sh", "-c", "id -u"]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toBe(`${decl.user.uid}\n`);
      expect(r.err).toBe("");
    });

    // ------------------------------------------------------------ the contract

    it("print-config renders every override with a real parser, secrets masked", async () => {
      const r = await runOnce(allEnv, ["print-config"]);
      expect(r.code, r.err).toBe(0);
      const cfg = parseConfig(decl.config.format, r.out);
      for (const s of fileTargets) {
        expect(getPath(cfg, s.v.target), s.name).toEqual(s.v.secret ? masked(s.v) : expectedTyped(s.v, s.value));
      }
      for (const needle of secretNeedles(samples)) expect(r.out).not.toContain(needle);
    });

    it.each(fileTargets.filter((s) => s.v.type === "string" && !s.v.secret).map((s) => [s.name, s] as const))(
      "print-config holds a hostile %s byte-exact",
      async (_n, s) => {
        const r = await runOnce({ ...required, [s.name]: HOSTILE }, ["print-config"]);
        expect(r.code, r.err).toBe(0);
        expect(getPath(parseConfig(decl.config.format, r.out), s.v.target)).toBe(HOSTILE);
      },
    );

    it.each(samples.filter((s) => BAD_VALUES[s.v.type]).map((s) => [s.name, s] as const))(
      "a bad %s stops print-config and the start, naming the variable",
      async (_n, s) => {
        const bad = BAD_VALUES[s.v.type]!;
        const p = await runOnce({ ...required, [s.name]: bad }, ["print-config"]);
        expect(p.code).not.toBe(0);
        expect(p.err).toContain(s.name);
        const r = await runOnce({ ...required, [s.name]: bad }, [], fleetFlags(decl));
        expect(r.code).not.toBe(0);
        expect(r.err).toContain(`clawlab: ${s.name}:`);
        if (bad !== "yes") expect(r.out + r.err).not.toContain(bad); // the value is never echoed
        expect(r.out).not.toMatch(/serving/);
      },
    );

    it("reads a secret from NAME_FILE, and refuses NAME together with NAME_FILE", async () => {
      const s = samples.find((x) => x.v.secret && x.v.target !== "env" && x.v.type === "string") ?? samples.find((x) => x.v.secret && !x.name.includes("*"));
      if (!s) return expect(decl.env.some((v) => v.secret)).toBe(false);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-secret-"));
      fs.chmodSync(dir, 0o755);
      const file = path.join(dir, "secret");
      fs.writeFileSync(file, `${s.value}\n`, { mode: 0o644 });
      const mount = ["--mount", `type=bind,src=${file},dst=/run/secrets/s,readonly`];
      const base: Record<string, string> = { ...required };
      delete base[s.name];
      try {
        const ok = await runOnce({ ...base, [`${s.name}_FILE`]: "/run/secrets/s" }, ["print-config"], mount);
        expect(ok.code, ok.err).toBe(0);
        const both = await runOnce({ ...base, [s.name]: s.value, [`${s.name}_FILE`]: "/run/secrets/s" }, ["print-config"], mount);
        expect(both.code).not.toBe(0);
        expect(both.err).toContain(s.name);
        if (s.v.target !== "env") {
          const c = await start({ ...base, [`${s.name}_FILE`]: "/run/secrets/s" }, { flags: mount });
          const cfg = parseConfig(decl.config.format, (await readFileIn(c.name, decl.config.path)).toString("utf8"));
          expect(getPath(cfg, s.v.target)).toEqual(expectedTyped(s.v, s.value));
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);

    // ------------------------------------------------------------ a started container

    describe("started the fleet's way (uid, cap-drop ALL, no-new-privileges, read-only, tmpfs /tmp, named volume)", () => {
      let c: Container;
      beforeAll(async () => {
        c = await start(allEnv);
      }, START);

      it("becomes healthy through the image's own probe, reachable from outside the container", async () => {
        const info = await inspectContainer(c.name);
        expect(info.State.Health.Status).toBe("healthy");
        expect(info.State.Health.Log.at(-1).ExitCode).toBe(0);
        expect(info.State.Health.Log.at(-1).Output).toContain("clawlab-health: ok");
        if (decl.health.kind === "http") {
          const r = await httpGet(c.name, portOf(decl, allEnv), decl.health.path);
          expect(r.status).toBe(200);
          expect(r.body).toContain(decl.health.bodyContains ?? "");
        }
      });

      it("runs the runtime and everything it started as its uid with no capabilities, under tini", async () => {
        const top = await exec(c.name, ["cat", "/proc/1/comm"]);
        expect(top.out.trim()).toBe("tini");
        const uid = decl.user.uid;
        const procs = await containerProcesses(c.name);
        expect(procs.some((p) => p.ppid === 1)).toBe(true);
        for (const p of procs) {
          expect({ pid: p.pid, comm: p.comm, uids: p.uids, gids: p.gids, groups: p.groups.filter((g) => g !== uid) }).toEqual({
            pid: p.pid, comm: p.comm, uids: [uid, uid, uid, uid], gids: [uid, uid, uid, uid], groups: [],
          });
          expect(p.capEff, `${p.comm} CapEff`).toBe(0n);
          expect(p.capPrm, `${p.comm} CapPrm`).toBe(0n);
          expect(p.noNewPrivs, `${p.comm} NoNewPrivs`).toBe(1);
        }
        if (!standin) return;
        const st = await standinState(c, portOf(decl, allEnv));
        expect(st.configExists).toBe(true);
        expect(st.configPath).toBe(decl.config.path);
      });

      it("cannot write outside its state paths (read-only root filesystem)", async () => {
        for (const p of ["/clawlab-probe", "/etc/clawlab-probe", "/usr/local/bin/clawlab-probe", "/usr/local/share/clawlab/clawlab-probe", "/var/tmp/clawlab-probe", "/home/clawlab-probe"]) {
          const r = await exec(c.name, ["sh", "-c", `: > '${p}'`]);
          expect(r.code, p).not.toBe(0);
          expect(r.err).toMatch(/Read-only file system|Permission denied/);
        }
        for (const p of [`${decl.stateDir}/clawlab-probe`, "/tmp/clawlab-probe"]) {
          const r = await exec(c.name, ["sh", "-c", `: > '${p}' && rm '${p}'`]);
          expect(r.code, `${p}: ${r.err}`).toBe(0);
        }
      });

      it("renders each file-target override into the native config (real parser), 0600, owned by the uid", async () => {
        const bytes = await readFileIn(c.name, decl.config.path);
        const cfg = parseConfig(decl.config.format, bytes.toString("utf8"));
        for (const s of fileTargets) expect(getPath(cfg, s.v.target), s.name).toEqual(expectedTyped(s.v, s.value));
        const st = await exec(c.name, ["stat", "-c", "%a %u:%g", decl.config.path]);
        expect(st.out.trim()).toBe(`600 ${decl.user.uid}:${decl.user.uid}`);
      });

      it("hands each env-target override to the runtime byte-exact; file-target secrets are not in its env", async () => {
        const { env } = await runtimeProcess(c.name);
        for (const s of envTargets) expect(env[s.name], s.name).toBe(options.consumed?.includes(s.name) ? undefined : s.value);
        for (const s of fileTargets.filter((x) => x.v.secret)) expect(env[s.name], s.name).toBeUndefined();
      });

      // The stand-in can be told to degrade; the real runtimes are checked healthy above.
      if (standin) it("turns unhealthy when the health body lacks the fragment (200 is not enough), and recovers", async () => {
        const port = portOf(decl, allEnv);
        expect((await httpGet(c.name, port, "/__standin/degrade")).status).toBe(200);
        await waitUnhealthy(c.name);
        const info = await inspectContainer(c.name);
        expect(info.State.Health.Log.at(-1).Output).toContain("lacks");
        expect((await httpGet(c.name, port, "/__standin/ok")).status).toBe(200);
        await waitHealthy(c.name, healthTimeout, true);
      }, 60_000);

      itKeepsItsLifecycle({
        container: () => c,
        image: () => image,
        configPath: decl.config.path,
        configLabel: "config",
        healthTimeout,
        needles: () => secretNeedles(samples),
        stopSignal,
        standin,
      });
    });

    describe("started as root (ownership fixed where wrong, then privileges dropped)", () => {
      it("drops to the uid with no groups and no capabilities, fixing only wrong ownership", async () => {
        const vol = await createVolume(`clawlab-it-${decl.name}-root`);
        // A volume with one wrong and one right entry.
        await dockerOk([
          "run", "--rm", "--user", "0:0", "-v", `${vol}:${decl.stateDir}`, "--entrypoint", "sh", image, "-c",
          `mkdir -p ${decl.stateDir}/wrong && : > ${decl.stateDir}/wrong/f && chown -R 0:0 ${decl.stateDir}/wrong && : > ${decl.stateDir}/right && chown ${decl.user.uid}:${decl.user.uid} ${decl.stateDir}/right`,
        ]);
        const ctimeRight = async () => (await dockerOk(["run", "--rm", "-v", `${vol}:${decl.stateDir}`, "--entrypoint", "stat", image, "-c", "%Z", `${decl.stateDir}/right`])).out.trim();
        const before = await ctimeRight();
        await new Promise((r) => setTimeout(r, 1100));
        const c = await start(required, { fleet: false, flags: ["--user", "0:0", "--security-opt", "no-new-privileges"], volume: vol });
        const rt = await runtimeProcess(c.name);
        expect(rt.uids).toEqual([decl.user.uid, decl.user.uid, decl.user.uid, decl.user.uid]);
        expect(rt.gids).toEqual([decl.user.uid, decl.user.uid, decl.user.uid, decl.user.uid]);
        expect(rt.groups).toEqual([]);
        expect(rt.capEff).toBe(0n);
        expect(rt.capPrm).toBe(0n);
        const owners = await exec(c.name, ["stat", "-c", "%u:%g %n", `${decl.stateDir}/wrong`, `${decl.stateDir}/wrong/f`, decl.config.path]);
        for (const line of owners.out.trim().split("\n")) expect(line).toMatch(new RegExp(`^${decl.user.uid}:${decl.user.uid} `));
        await dockerOk(["stop", c.name]);
        expect(await ctimeRight()).toBe(before);
      }, START + 60_000);
    });

    options.extra?.({ decl, image: () => image, standin, samples: allEnv, required, start, runOnce });
  });
}
