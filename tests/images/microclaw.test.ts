/**
 * MicroClaw's image on a real engine: the generic suite plus its web password step and
 * its key check. With a prebuilt MicroClaw ($CLAWLAB_ARTIFACTS/microclaw, artifacts.ts)
 * it runs the REAL runtime: the password is then proven by logging in to its web API,
 * and the rendered values by what that API reports.
 */
import { expect, it } from "vitest";
import { microclaw } from "../../runtimes/microclaw/declaration";
import { containerIp, dockerOk, fnv1a64, runtimeProcess, standinCalls, waitHealthy, type Container } from "./harness";
import { IMAGE_OPTIONS } from "./options";
import { describeRuntimeImage, fleetFlags } from "./runtime-suite";

const required = IMAGE_OPTIONS.microclaw!.required!;
const password = required.CLAW_WEB_PASSWORD!;
/** What every start needs besides the password (MicroClaw refuses anthropic without a key). */
const key = { CLAW_API_KEY: required.CLAW_API_KEY! };

/** A request to MicroClaw's web API from the host, over the container's bridge IP. */
async function api(c: Container, urlPath: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://${await containerIp(c.name)}:${c.decl.port}${urlPath}`, { ...init, signal: AbortSignal.timeout(5000) });
}

/** Logs in to the web UI; returns the status and, on success, the session cookie. */
async function login(c: Container, pw: string): Promise<{ status: number; cookie: string }> {
  const res = await api(c, "/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password: pw }) });
  await res.arrayBuffer();
  return { status: res.status, cookie: res.headers.getSetCookie().map((x) => x.split(";")[0]).join("; ") };
}

/** GET /api/config with a session cookie: the status and the config MicroClaw loaded. */
async function loadedConfig(c: Container, cookie: string): Promise<{ status: number; config: any }> {
  const res = await api(c, "/api/config", { headers: { cookie } });
  const text = await res.text();
  return { status: res.status, config: res.ok ? JSON.parse(text).config : undefined };
}

describeRuntimeImage(microclaw, {
  extra: (ctx) => {
    /** The `web password` calls the stand-in recorded (the password itself hashed). */
    const passwordCalls = async (c: Container) => (await standinCalls(c)).filter((x) => x.argv.includes("password"));

    it("sets the web password before the start, as the runtime user, and only when it changed", async () => {
      const c = await ctx.start(ctx.required);
      const rt = await runtimeProcess(c.name);
      expect(rt.argv).toEqual(["microclaw", "--config", ctx.decl.config.path, "start"]);
      expect(rt.env.CLAW_WEB_PASSWORD).toBeUndefined();
      if (ctx.standin) {
        const calls = await passwordCalls(c);
        expect(calls).toHaveLength(1);
        expect(calls[0]!.argv).toEqual(["microclaw", "--config", ctx.decl.config.path, "web", "password", fnv1a64(password)]);
        expect(calls[0]!.uid).toBe(ctx.decl.user.uid);
      }
      // The real MicroClaw takes the fleet's password, never its default "helloworld".
      const session = ctx.standin ? undefined : await login(c, password);
      if (session) {
        expect(session.status).toBe(200);
        expect((await login(c, "helloworld")).status).toBe(401);
      }

      // Restarts with the same password do not set it again (that revokes every session).
      await dockerOk(["restart", c.name]);
      await waitHealthy(c.name);
      if (ctx.standin) expect(await passwordCalls(c)).toHaveLength(1);
      if (session) expect((await loadedConfig(c, session.cookie)).status).toBe(200);

      // A new password (same volume) is set once: the old one and its sessions stop working.
      await dockerOk(["rm", "-f", c.name]);
      const c2 = await ctx.start({ ...key, CLAW_WEB_PASSWORD: `${password}-v2` }, { volume: c.volume });
      if (ctx.standin) {
        const calls = await passwordCalls(c2);
        expect(calls).toHaveLength(2);
        expect(calls[1]!.argv.at(-1)).toBe(fnv1a64(`${password}-v2`));
      } else {
        expect((await loadedConfig(c2, session!.cookie)).status).toBe(401);
        expect((await login(c2, password)).status).toBe(401);
        expect((await login(c2, `${password}-v2`)).status).toBe(200);
      }

      // Without the variable, the password set earlier stays.
      await dockerOk(["rm", "-f", c2.name]);
      const c3 = await ctx.start(key, { volume: c.volume });
      if (ctx.standin) expect(await passwordCalls(c3)).toHaveLength(2);
      else expect((await login(c3, `${password}-v2`)).status).toBe(200);
    }, 180_000);

    it.each([
      ["missing on a fresh volume", undefined],
      ["shorter than 8 characters", "short"],
      ["padded with white space", ` ${password} `],
    ] as const)("refuses a web password %s, naming the variable", async (_what, value) => {
      const env: Record<string, string> = value === undefined ? { ...key } : { ...key, CLAW_WEB_PASSWORD: value };
      const r = await ctx.runOnce(env, [], fleetFlags(ctx.decl));
      expect(r.code).not.toBe(0);
      expect(r.err).toContain("clawlab: CLAW_WEB_PASSWORD:");
      if (value) expect(r.err).not.toContain(value.trim());
    }, 60_000);

    it("refuses a start without an API key, naming the variable, before setting the password", async () => {
      const r = await ctx.runOnce({ CLAW_WEB_PASSWORD: password }, [], fleetFlags(ctx.decl));
      expect(r.code).not.toBe(0);
      expect(r.err).toContain("clawlab: CLAW_API_KEY: is required");
      expect(r.out + r.err).not.toContain("password reset");
      // Both errors at once: the key and the missing password.
      const both = await ctx.runOnce({}, [], fleetFlags(ctx.decl));
      expect(both.err).toContain("clawlab: CLAW_API_KEY:");
      expect(both.err).toContain("clawlab: CLAW_WEB_PASSWORD:");
    }, 60_000);

    it("starts without an API key for ollama", async () => {
      await ctx.start({ CLAW_WEB_PASSWORD: password, CLAW_LLM_PROVIDER: "ollama", CLAW_LLM_BASE_URL: "http://ollama.invalid:11434/v1" });
    }, 120_000);

    it("runs other microclaw commands without touching the password", async () => {
      const args = ctx.standin
        ? ["microclaw", "--config", ctx.decl.config.path, "web", "password-generate"]
        : ["microclaw", "--config", ctx.decl.config.path, "config", "check"];
      const r = await ctx.runOnce(ctx.required, args, fleetFlags(ctx.decl));
      expect(r.code, r.err).toBe(0);
      if (ctx.standin) expect(r.out).toContain("one-shot");
      else {
        expect(r.out).toContain("Config OK");
        expect(r.out + r.err).not.toContain("password reset");
      }
    }, 60_000);

    if (!ctx.standin) it("loads the rendered values: provider, model, listener, Telegram allow-list", async () => {
      const env = {
        ...ctx.required,
        CLAW_LLM_PROVIDER: "openrouter",
        CLAW_MODEL: "anthropic/claude-sonnet-4.5",
        CLAW_LLM_BASE_URL: "https://openrouter.example/api/v1",
        CLAW_TELEGRAM_ENABLED: "true",
        CLAW_TELEGRAM_BOT_TOKEN: "123456:sekret-clawtelegrambottoken-0a1b2c3d",
        CLAW_TELEGRAM_ALLOWED_USER_IDS: "123456789,987654321",
      };
      // Telegram cannot be reached from here: MicroClaw logs it and keeps serving.
      const c = await ctx.start(env);
      const { cookie } = await login(c, password);
      const { status, config } = await loadedConfig(c, cookie);
      expect(status).toBe(200);
      expect(config).toMatchObject({
        llm_provider: "openrouter",
        model: "anthropic/claude-sonnet-4.5",
        llm_base_url: "https://openrouter.example/api/v1",
        api_key: "***",
        web_enabled: true,
        web_host: "0.0.0.0",
        web_port: ctx.decl.port,
        data_dir: ctx.decl.stateDir,
        working_dir: ctx.decl.workspaceDir,
        channels: { telegram: { enabled: true, bot_token: "***", allowed_user_ids: [123456789, 987654321] } },
      });
    }, 120_000);

    if (!ctx.standin) it("is the pinned upstream version", async () => {
      const r = await ctx.runOnce({}, ["microclaw", "version"]);
      expect(r.code, r.err).toBe(0);
      expect(r.out.trim()).toBe(`microclaw ${ctx.decl.defaultVersion.replace(/^v/, "")}`);
    }, 60_000);
  },
});
