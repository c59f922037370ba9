/** NullClaw's image on a real engine: the generic suite plus its HOME, host and Telegram rules. */
import { expect, it } from "vitest";
import { nullclaw } from "../../runtimes/nullclaw/declaration";
import { getPath, parseConfig, readFileIn, runtimeProcess, standinState } from "./harness";
import { describeRuntimeImage, fleetFlags } from "./runtime-suite";

describeRuntimeImage(nullclaw, {
  extra: (ctx) => {
    it("pins HOME to the volume so NullClaw reads the rendered $HOME/.nullclaw/config.json", async () => {
      const c = await ctx.start({ ...ctx.required, HOME: "/tmp" });
      const rt = await runtimeProcess(c.name);
      expect(rt.env.HOME).toBe(ctx.decl.stateDir);
      expect(rt.env.NULLCLAW_WORKSPACE).toBe(ctx.decl.workspaceDir);
      if (ctx.standin) expect((await standinState(c)).configPath).toBe(ctx.decl.config.path);
    }, 120_000);

    it("keeps Telegram off without a token: the account's bot_token stays null (an empty one would keep /health degraded)", async () => {
      const c = await ctx.start(ctx.required);
      const cfg = parseConfig("json", (await readFileIn(c.name, ctx.decl.config.path)).toString("utf8"));
      expect(getPath(cfg, "channels.telegram.accounts.main.bot_token")).toBeNull();
      expect(getPath(cfg, "models.providers.custom.base_url")).toBeNull();
      const r = await ctx.runOnce({ CLAW_TELEGRAM_BOT_TOKEN: "" }, [], fleetFlags(ctx.decl));
      expect(r.code).not.toBe(0);
      expect(r.err).toContain("clawlab: CLAW_TELEGRAM_BOT_TOKEN:");
    }, 120_000);

    it("refuses a listen host that is not an IP literal, naming the variable", async () => {
      const r = await ctx.runOnce({ NULLCLAW_GATEWAY_HOST: "localhost" }, [], fleetFlags(ctx.decl));
      expect(r.code).not.toBe(0);
      expect(r.err).toContain("clawlab: NULLCLAW_GATEWAY_HOST:");
      for (const ok of ["::", "0.0.0.0", "10.1.2.3"]) {
        const p = await ctx.runOnce({ NULLCLAW_GATEWAY_HOST: ok }, ["print-config"]);
        expect(p.code).toBe(0);
      }
    }, 60_000);
  },
});
