/**
 * PicoClaw's image on a real engine: the generic suite plus its config location. Here it
 * runs the REAL PicoClaw, built by the Dockerfile's own build stage from the Go module
 * proxy on a local Go toolchain image (artifacts.ts; CLAWLAB_STANDIN=picoclaw for the
 * stand-in).
 */
import { expect, it } from "vitest";
import { picoclaw } from "../../runtimes/picoclaw/declaration";
import { httpGet, runtimeProcess, standinState } from "./harness";
import { describeRuntimeImage, fleetFlags } from "./runtime-suite";

describeRuntimeImage(picoclaw, {
  extra: (ctx) => {
    it("makes PicoClaw read the rendered config.json from the volume, whatever the caller sets", async () => {
      const c = await ctx.start({ ...ctx.required, PICOCLAW_CONFIG: "/tmp/other.json", PICOCLAW_HOME: "/tmp" });
      const rt = await runtimeProcess(c.name);
      expect(rt.env.PICOCLAW_HOME).toBe(ctx.decl.stateDir);
      expect(rt.env.PICOCLAW_CONFIG).toBe(ctx.decl.config.path);
      expect(rt.argv).toEqual(["picoclaw", "gateway"]);
      if (ctx.standin) expect((await standinState(c)).configPath).toBe(ctx.decl.config.path);
      else {
        // The health answer comes from the process tini started, on the rendered port.
        const health = await httpGet(c.name, ctx.decl.port, ctx.decl.health.path);
        expect(JSON.parse(health.body)).toMatchObject({ status: "ok", pid: rt.pid });
      }
    }, 120_000);

    if (!ctx.standin) it("stops at start when no enabled channel reaches its service, so the health gate catches a bad token", async () => {
      const env = { ...ctx.required, CLAW_DISCORD_ENABLED: "true", CLAW_DISCORD_ALLOW_FROM: "998877665544332211", PICOCLAW_CHANNELS_DISCORD_TOKEN: "not-a-discord-token" };
      const r = await ctx.runOnce(env, [], fleetFlags(ctx.decl));
      expect(r.code).not.toBe(0);
      expect(r.out + r.err).toContain("failed to start any enabled channels");
      expect(r.out + r.err).not.toContain("not-a-discord-token");
    }, 60_000);

    if (!ctx.standin) it("is the pinned upstream version", async () => {
      const r = await ctx.runOnce({}, ["picoclaw", "version"]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`picoclaw ${ctx.decl.defaultVersion} (git: ${ctx.decl.defaultRevision!.slice(0, 8)})`);
    }, 60_000);
  },
});
