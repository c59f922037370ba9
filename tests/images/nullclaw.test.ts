/** NullClaw's image on a real engine: the generic suite plus its HOME, host, model, curl and Telegram rules. */
import { expect, it } from "vitest";
import { nullclaw } from "../../runtimes/nullclaw/declaration";
import { getPath, parseConfig, readFileIn, runtimeProcess } from "./harness";
import { describeRuntimeImage, fleetFlags } from "./runtime-suite";

describeRuntimeImage(nullclaw, {
  extra: (ctx) => {
    it("pins HOME to the volume so NullClaw reads the rendered $HOME/.nullclaw/config.json", async () => {
      const c = await ctx.start({ ...ctx.required, HOME: "/tmp" });
      const { env } = await runtimeProcess(c.name);
      expect(env.HOME).toBe(ctx.decl.stateDir);
      expect(`${env.HOME}/.nullclaw/config.json`).toBe(ctx.decl.config.path);
      expect(env.NULLCLAW_WORKSPACE).toBe(ctx.decl.workspaceDir);
    }, 120_000);

    it("has curl: NullClaw makes every HTTP call (LLM providers, Telegram) by running it", async () => {
      const r = await ctx.runOnce({}, ["sh", "-c", "command -v curl && curl --version"]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/^\/usr\/bin\/curl\ncurl \d/);
    }, 60_000);

    it("refuses a model that is not provider/model, naming the variable; a model with more slashes starts", async () => {
      for (const bad of ["claude-sonnet-4-5", "/claude", "anthropic/"]) {
        const r = await ctx.runOnce({ ...ctx.required, CLAW_MODEL_PRIMARY: bad }, [], fleetFlags(ctx.decl));
        expect(r.code, bad).not.toBe(0);
        expect(r.err).toContain("clawlab: CLAW_MODEL_PRIMARY:");
      }
      const c = await ctx.start({ ...ctx.required, CLAW_MODEL_PRIMARY: "openrouter/anthropic/claude-sonnet-4" });
      const cfg = parseConfig("json", (await readFileIn(c.name, ctx.decl.config.path)).toString("utf8"));
      expect(getPath(cfg, "agents.defaults.model.primary")).toBe("openrouter/anthropic/claude-sonnet-4");
    }, 120_000);

    it("keeps Telegram off without a token: the account's bot_token stays null (an empty one would keep /health degraded)", async () => {
      const c = await ctx.start(ctx.required);
      const cfg = parseConfig("json", (await readFileIn(c.name, ctx.decl.config.path)).toString("utf8"));
      expect(getPath(cfg, "channels.telegram.accounts.main.bot_token")).toBeNull();
      for (const p of ["anthropic", "ollama", "custom"]) expect(getPath(cfg, `models.providers.${p}.base_url`)).toBeNull();
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
