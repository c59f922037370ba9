/**
 * ZeroClaw's image on a real engine: the generic suite plus its seed-once config. With a
 * prebuilt ZeroClaw ($CLAWLAB_ARTIFACTS/zeroclaw, artifacts.ts) it runs the REAL runtime:
 * the fleet's own overrides (the translator's output) are then checked through ZeroClaw's
 * API, behind the token the fleet provisions.
 */
import { expect, it } from "vitest";
import { translators, type ChannelInput } from "../../runtimes";
import { zeroclaw } from "../../runtimes/zeroclaw/declaration";
import { containerIp, dockerOk, exec, httpGet, readFileIn, runtimeProcess, standinState, waitHealthy, type Container } from "./harness";
import { describeRuntimeImage, fleetFlags } from "./runtime-suite";

const GATEWAY_TOKEN = "sekret-gatewaytoken-3e4f5a6b-0123456789abcdef0123456789abcdef";
const telegram: ChannelInput<string> = {
  name: "team-telegram",
  type: "telegram",
  botToken: "123456:sekret-telegrambottoken-7c8d9e0f",
  allowedUsers: ["123456789", "987654321"],
  guildIds: [],
};

/** The environment the fleet gives ZeroClaw (the translator's output, parts joined). */
function fleetEnv(channels: ChannelInput<string>[]): Record<string, string> {
  const env = translators.zeroclaw<string>({
    provider: { name: "claude", type: "anthropic", apiKey: "sk-ant-sekret-anthropicapikey-1a2b3c4d" },
    model: "claude-sonnet-4-5",
    channels,
    generated: { gatewayToken: GATEWAY_TOKEN },
  });
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, Array.isArray(v) ? v.join("") : (v as string)]));
}

/** GET an API path with a bearer token: status and parsed body. */
async function api(c: Container, urlPath: string, token: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://${await containerIp(c.name)}:${c.decl.port}${urlPath}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  return { status: res.status, body: res.ok ? JSON.parse(text) : text };
}

/** The runtime components /health reports, once the channels supervisor has reported (it starts after the gateway). */
async function components(c: Container): Promise<Record<string, { status: string; last_error: string | null }>> {
  const t0 = Date.now();
  for (;;) {
    const h = JSON.parse((await httpGet(c.name, c.decl.port, c.decl.health.path)).body);
    const comps = h.runtime?.components ?? {};
    if ((comps.channels && comps.channels.status !== "starting") || Date.now() - t0 > 20_000) return comps;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describeRuntimeImage(zeroclaw, {
  extra: (ctx) => {
    it("seeds config.toml once and never replaces it (ZeroClaw stores paired tokens there)", async () => {
      const c = await ctx.start(ctx.required);
      const path = ctx.decl.config.path;
      const appended = '\n[gateway_test_marker]\nnote = "written by the runtime"\n';
      const w = await exec(c.name, ["sh", "-c", `printf '%s' '${appended}' >> ${path}`]);
      expect(w.code, w.err).toBe(0);
      const before = await readFileIn(c.name, path);
      await dockerOk(["restart", c.name]);
      await waitHealthy(c.name);
      expect((await readFileIn(c.name, path)).equals(before)).toBe(true);
      const rt = await runtimeProcess(c.name);
      expect(rt.env.ZEROCLAW_CONFIG_DIR).toBe(ctx.decl.stateDir);
      expect(rt.argv).toEqual(["zeroclaw", "daemon", "--host", "0.0.0.0"]);
    }, 120_000);

    it("keeps ZeroClaw on the volume even when the caller points ZEROCLAW_CONFIG_DIR elsewhere", async () => {
      const c = await ctx.start({ ...ctx.required, ZEROCLAW_CONFIG_DIR: "/tmp/elsewhere" });
      expect((await runtimeProcess(c.name)).env.ZEROCLAW_CONFIG_DIR).toBe(ctx.decl.stateDir);
      if (ctx.standin) expect((await standinState(c)).configPath).toBe(ctx.decl.config.path);
    }, 120_000);

    if (!ctx.standin) it("runs the fleet's agent: its provider, model, channel and allow-list loaded, its channels up, the API behind the provisioned token", async () => {
      const c = await ctx.start(fleetEnv([telegram]));
      // The seeded risk profile lets the agent's channels start (without it they fail while /health says ok).
      const comps = await components(c);
      expect(comps.channels, JSON.stringify(comps.channels)).toMatchObject({ status: "ok" });
      expect(comps["channel:telegram.team_telegram"]).toBeDefined();

      const token = `zc_${GATEWAY_TOKEN}`;
      expect((await api(c, "/api/status", "zc_not-the-token")).status).toBe(401);
      const status = await api(c, "/api/status", token);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ model: "claude-sonnet-4-5", model_provider: "anthropic.claude", gateway_port: ctx.decl.port, paired: true });
      expect(status.body.channels).toEqual({ "telegram.team_telegram": true });

      const { body: config } = await api(c, "/api/config", token);
      expect(config.gateway).toMatchObject({ host: "0.0.0.0", port: ctx.decl.port, require_pairing: true });
      expect(config.providers.models.anthropic.claude).toMatchObject({ model: "claude-sonnet-4-5", api_key: "***MASKED***" });
      expect(config.agents.main).toMatchObject({ enabled: true, model_provider: "anthropic.claude", risk_profile: "default", channels: ["telegram.team_telegram"] });
      expect(config.channels.telegram.team_telegram).toMatchObject({ enabled: true, bot_token: "***MASKED***" });
      expect(config.peer_groups.team_telegram).toMatchObject({ channel: "telegram.team_telegram", agents: ["main"], external_peers: ["123456789", "987654321"] });
      expect(config.risk_profiles.default).toMatchObject({ level: "supervised" });

      // The overrides stay in memory: the file on the volume is still the seed.
      const text = (await readFileIn(c.name, ctx.decl.config.path)).toString("utf8");
      expect(text).not.toMatch(/sekret-|team_telegram|claude/);
    }, 120_000);

    if (!ctx.standin) it("aborts on an override path its schema does not know (so the contract must match upstream)", async () => {
      const r = await ctx.runOnce({ ...ctx.required, ZEROCLAW_gateway__no_such_field: "1" }, [], fleetFlags(ctx.decl));
      expect(r.code).not.toBe(0);
      expect(r.out + r.err).toContain("ZEROCLAW_gateway__no_such_field did not resolve to a schema path");
    }, 60_000);

    if (!ctx.standin) it("is the pinned upstream version", async () => {
      const r = await ctx.runOnce({}, ["zeroclaw", "--version"]);
      expect(r.code, r.err).toBe(0);
      expect(r.out.trim()).toBe(`zeroclaw ${ctx.decl.defaultVersion.replace(/^v/, "")}`);
    }, 60_000);
  },
});
