/**
 * OpenClaw's image on a real engine, running the REAL gateway (openclaw@2026.9.6 from
 * npm, built by the Dockerfile's own build stage on a local Node 26 toolchain image):
 * the generic suite on that real artifact (artifacts.ts), plus OpenClaw's own checks: the strict
 * schema accepts every rendered override (a bad key stops the gateway), the health
 * body, the process's uid/capabilities/env, the telegram block, the entrypoint's
 * refusals, where it writes on a read-only root, and a replacement container on the
 * volume of a killed one.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, it } from "vitest";
import { openclaw } from "../../runtimes/openclaw/declaration";
import {
  containerProcesses,
  createVolume,
  docker,
  dockerOk,
  exec,
  healthTimeoutMs,
  httpGet,
  inspectContainer,
  parseConfig,
  readFileIn,
  startContainer,
  waitHealthy,
} from "./harness";
import { describeRuntimeImage, fleetFlags } from "./runtime-suite";
import { HOSTILE, marker } from "./samples";

/** A gateway token as the fleet generates one (letters and digits), with a findable marker. */
const TOKEN = `${marker("OPENCLAW_GATEWAY_TOKEN")}${randomBytes(12).toString("hex")}`;
const HEALTH_TIMEOUT = healthTimeoutMs(openclaw);

/** The gateway's process inside a container (by its process title). */
async function gatewayProcess(name: string) {
  const p = (await containerProcesses(name)).find((x) => x.comm === "openclaw-gatewa");
  if (!p) throw new Error(`no gateway process in ${name}`);
  return p;
}

describeRuntimeImage(openclaw, {
  // A start without the gateway token is refused (lan bind needs auth).
  required: { OPENCLAW_GATEWAY_TOKEN: TOKEN },
  samples: {
    // Numeric Telegram user ids (tg: prefix allowed): OpenClaw ignores anything else.
    CLAW_TELEGRAM_ALLOW_FROM: " 111111111 , tg:222222222",
    // The main container runs without Telegram: with it, the gateway retries the
    // unreachable Bot API at shutdown for longer than `docker stop -t 10` waits.
    // Telegram enabled is tested on its own below.
    CLAW_TELEGRAM_ENABLED: "false",
  },
  extra: (ctx) => {
    // Everything below is about the real gateway (CLAWLAB_STANDIN=openclaw runs the generic part only).
    if (ctx.standin) return;
    it("runs the real gateway as uid 10002 with no capabilities and no_new_privs, its env byte-exact", async () => {
      const env = { ...ctx.samples };
      const t0 = Date.now();
      const c = await startContainer(ctx.decl, ctx.image(), { env });
      const secs = await waitHealthy(c.name, HEALTH_TIMEOUT);
      process.stderr.write(`[openclaw] start to healthy (fresh volume): ${((Date.now() - t0) / 1000).toFixed(1)}s (probe saw it after ${secs.toFixed(1)}s)\n`);
      const g = await gatewayProcess(c.name);
      expect(g.uids).toEqual([10002, 10002, 10002, 10002]);
      expect(g.gids).toEqual([10002, 10002, 10002, 10002]);
      // No supplementary group beyond its own (docker lists the primary gid for --user uid:gid).
      expect(g.groups.filter((x) => x !== 10002)).toEqual([]);
      expect(g.capEff).toBe(0n);
      expect(g.capPrm).toBe(0n);
      expect(g.noNewPrivs).toBe(1);
      // Every env-target override reaches the gateway byte-exact (OpenClaw reads them itself).
      for (const v of ctx.decl.env.filter((x) => x.target === "env")) expect(g.env[v.name], v.name).toBe(env[v.name]);
      // Its paths are pinned to the volume, and the config is externally managed.
      expect(g.env.OPENCLAW_STATE_DIR).toBe(ctx.decl.stateDir);
      expect(g.env.OPENCLAW_CONFIG_PATH).toBe(ctx.decl.config.path);
      expect(g.env.OPENCLAW_CONFIG_READONLY).toBe("1");
      expect(g.env.HOME).toBe(ctx.decl.stateDir);
      // The hostile model string went through JSON and came back byte-exact.
      const cfg = parseConfig("json", (await readFileIn(c.name, ctx.decl.config.path)).toString("utf8"));
      expect(cfg.agents.defaults.model).toBe(HOSTILE);
      expect(cfg.gateway).toEqual({ mode: "local", port: 18789, bind: "lan", auth: { mode: "token" } });
    }, HEALTH_TIMEOUT + 60_000);

    it("answers /healthz with \"status\":\"live\" while any other path is 200 too (why the probe checks the body)", async () => {
      const c = await ctx.start(ctx.required);
      const health = await httpGet(c.name, ctx.decl.port, "/healthz");
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ ok: true, status: "live" });
      const other = await httpGet(c.name, ctx.decl.port, `/no-such-page-${randomBytes(4).toString("hex")}`);
      expect(other.status).toBe(200);
      expect(other.body).not.toContain('"status":"live"');
    }, HEALTH_TIMEOUT + 30_000);

    it("writes only to the volume and /tmp on a read-only root (state DB, caches, logs)", async () => {
      const c = await ctx.start(ctx.required);
      const info = await inspectContainer(c.name);
      expect(info.HostConfig.ReadonlyRootfs).toBe(true);
      // What OpenClaw created in the volume and in /tmp (the rest of the root is read-only).
      const vol = await exec(c.name, ["sh", "-c", `cd ${ctx.decl.stateDir} && ls -A`]);
      const names = vol.out.trim().split("\n");
      expect(names).toEqual(expect.arrayContaining(["openclaw.json", "state"]));
      const db = await exec(c.name, ["sh", "-c", `ls ${ctx.decl.stateDir}/state/openclaw.sqlite`]);
      expect(db.code, db.err).toBe(0);
      const tmp = await exec(c.name, ["ls", "-A", "/tmp"]);
      expect(tmp.out).toContain("openclaw");
      // Everything in the volume belongs to the runtime user and is not world-readable at the top.
      const foreign = await exec(c.name, ["find", ctx.decl.stateDir, "-xdev", "!", "-uid", "10002"]);
      expect(foreign.out.trim()).toBe("");
      const mode = await exec(c.name, ["stat", "-c", "%a", ctx.decl.stateDir]);
      expect(mode.out.trim()).toBe("700");
    }, HEALTH_TIMEOUT + 30_000);

    it("serves Telegram from the rendered channels block (allowlist with numeric ids) and stays healthy", async () => {
      const env = {
        ...ctx.required,
        CLAW_TELEGRAM_ENABLED: "true",
        CLAW_TELEGRAM_DM_POLICY: "allowlist",
        CLAW_TELEGRAM_ALLOW_FROM: "123456789,tg:987654321",
        TELEGRAM_BOT_TOKEN: `123456789:${marker("TELEGRAM_BOT_TOKEN")}`,
      };
      const c = await ctx.start(env);
      const cfg = parseConfig("json", (await readFileIn(c.name, ctx.decl.config.path)).toString("utf8"));
      expect(cfg.channels.telegram).toEqual({ enabled: true, dmPolicy: "allowlist", allowFrom: ["123456789", "tg:987654321"] });
      // The gateway loaded the telegram channel plugin from that block.
      const deadline = Date.now() + 30_000;
      let logs = "";
      while (Date.now() < deadline) {
        const l = await docker(["logs", c.name]);
        logs = l.out + l.err;
        if (/http server listening \([^)]*\btelegram\b/.test(logs)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(logs).toMatch(/http server listening \([^)]*\btelegram\b/);
      expect(logs).not.toContain(env.TELEGRAM_BOT_TOKEN.split(":")[1]);
      await docker(["rm", "-f", c.name]);
    }, HEALTH_TIMEOUT + 60_000);

    it("holds a config the gateway validates strictly: an unknown key in the baked file stops it", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-oc-"));
      fs.chmodSync(dir, 0o755);
      const bad = path.join(dir, "openclaw.json");
      const baked = fs.readFileSync(path.join(__dirname, "../../runtimes/openclaw/openclaw.json"), "utf8");
      fs.writeFileSync(bad, baked.replace('"mode": "local",', '"mode": "local",\n    "notAKey": true,'), { mode: 0o644 });
      try {
        const r = await ctx.runOnce(ctx.required, [], [...fleetFlags(ctx.decl), "--mount", `type=bind,src=${bad},dst=/usr/local/share/clawlab/openclaw.json,readonly`]);
        expect(r.code).not.toBe(0);
        expect(r.out + r.err).toMatch(/Invalid config/);
        expect(r.out + r.err).not.toContain(TOKEN);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);

    it.each([
      ["no gateway token", {}, "OPENCLAW_GATEWAY_TOKEN"],
      ["a gateway token with white space", { OPENCLAW_GATEWAY_TOKEN: "two words" }, "OPENCLAW_GATEWAY_TOKEN"],
      ["Telegram enabled without its bot token", { CLAW_TELEGRAM_ENABLED: "true" }, "TELEGRAM_BOT_TOKEN"],
      ["dmPolicy allowlist without ids", { CLAW_TELEGRAM_DM_POLICY: "allowlist" }, "CLAW_TELEGRAM_ALLOW_FROM"],
      ["a Telegram user name instead of an id", { CLAW_TELEGRAM_ALLOW_FROM: "123,@alice" }, "CLAW_TELEGRAM_ALLOW_FROM"],
    ] as const)("refuses to start with %s, naming the variable", async (_what, env, name) => {
      const base = "OPENCLAW_GATEWAY_TOKEN" in env || name === "OPENCLAW_GATEWAY_TOKEN" ? {} : ctx.required;
      const r = await ctx.runOnce({ ...base, ...env }, [], fleetFlags(ctx.decl));
      expect(r.code).not.toBe(0);
      expect(r.err).toContain(`clawlab: ${name}:`);
      expect(r.out + r.err).not.toMatch(/gateway\]|listening/);
    }, 60_000);

    it("starts on the volume of a killed container when the hostname is stable (the gateway's owner lease)", async () => {
      // OpenClaw keeps an owner lease (pid, host, process start time) in its state DB
      // for 5 minutes. A killed gateway cannot release it; a successor reclaims it only
      // when it recognises the host, i.e. when the container hostname stays the same.
      const vol = await createVolume("clawlab-it-openclaw-lease");
      const flags = ["--hostname", "openclaw"];
      const a = await startContainer(ctx.decl, ctx.image(), { env: ctx.required, volume: vol, flags });
      await waitHealthy(a.name, HEALTH_TIMEOUT);
      await dockerOk(["kill", a.name]);
      await dockerOk(["rm", a.name]);
      const b = await startContainer(ctx.decl, ctx.image(), { env: ctx.required, volume: vol, flags });
      await waitHealthy(b.name, HEALTH_TIMEOUT);
    }, 2 * HEALTH_TIMEOUT + 30_000);
  },
});
