/** IronClaw's image on a real engine: the generic suite plus its fail-fast checks and home. */
import { expect, it } from "vitest";
import { ironclaw } from "../../runtimes/ironclaw/declaration";
import { readFileIn, runtimeProcess, standinState } from "./harness";
import { IMAGE_OPTIONS } from "./options";
import { describeRuntimeImage, fleetFlags } from "./runtime-suite";

/** What every start of the PostgreSQL profile needs (options.ts). */
const required = IMAGE_OPTIONS.ironclaw!.required!;

describeRuntimeImage(ironclaw, {
  extra: (ctx) => {
    it("pins IRONCLAW_REBORN_HOME to the volume; the rendered config holds variable names, no secret", async () => {
      const c = await ctx.start({ ...ctx.samples, IRONCLAW_REBORN_HOME: "/tmp" });
      expect((await runtimeProcess(c.name)).env.IRONCLAW_REBORN_HOME).toBe(ctx.decl.stateDir);
      if (ctx.standin) expect((await standinState(c)).configPath).toBe(ctx.decl.config.path);
      const text = (await readFileIn(c.name, ctx.decl.config.path)).toString("utf8");
      expect(text).not.toMatch(/sekret-/);
      expect(text).toContain('url_env = "IRONCLAW_REBORN_POSTGRES_URL"');
    }, 120_000);

    it.each([
      ["no web token", { IRONCLAW_REBORN_WEBUI_TOKEN: undefined }, "IRONCLAW_REBORN_WEBUI_TOKEN"],
      ["a short web token", { IRONCLAW_REBORN_WEBUI_TOKEN: "31-bytes-0123456789abcdef012345" }, "IRONCLAW_REBORN_WEBUI_TOKEN"],
      ["no database URL", { IRONCLAW_REBORN_POSTGRES_URL: undefined }, "IRONCLAW_REBORN_POSTGRES_URL"],
      ["no master key", { IRONCLAW_REBORN_SECRET_MASTER_KEY: undefined }, "IRONCLAW_REBORN_SECRET_MASTER_KEY"],
      ["the singleton governor off", { IRONCLAW_REBORN_POSTGRES_RESOURCE_GOVERNOR_SINGLETON: "false" }, "IRONCLAW_REBORN_POSTGRES_RESOURCE_GOVERNOR_SINGLETON"],
    ] as const)("refuses to start with %s, naming the variable", async (_what, change, name) => {
      const env: Record<string, string> = { ...required };
      for (const [k, v] of Object.entries(change)) {
        if (v === undefined) delete env[k];
        else env[k] = v;
      }
      const r = await ctx.runOnce(env, [], fleetFlags(ctx.decl));
      expect(r.code).not.toBe(0);
      expect(r.err).toContain(`clawlab: ${name}:`);
      expect(r.err).not.toMatch(/sekret-/);
    }, 60_000);

    it("refuses a profile without PostgreSQL, which the baked [storage] section would fail", async () => {
      const r = await ctx.runOnce({ ...required, IRONCLAW_REBORN_PROFILE: "local-dev" }, [], fleetFlags(ctx.decl));
      expect(r.code).not.toBe(0);
      expect(r.err).toContain("clawlab: IRONCLAW_REBORN_PROFILE:");
    }, 60_000);

    it("runs IronClaw in its workspace, which holds none of its skill roots", async () => {
      const c = await ctx.start(ctx.samples);
      expect((await runtimeProcess(c.name)).cwd).toBe(ctx.decl.workspaceDir);
    }, 120_000);
  },
});
