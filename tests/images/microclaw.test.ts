/** MicroClaw's image on a real engine: the generic suite plus its web password step. */
import { expect, it } from "vitest";
import { microclaw } from "../../runtimes/microclaw/declaration";
import { dockerOk, fnv1a64, runtimeProcess, standinCalls, waitHealthy, type Container } from "./harness";
import { IMAGE_OPTIONS } from "./options";
import { describeRuntimeImage, fleetFlags } from "./runtime-suite";

const password = IMAGE_OPTIONS.microclaw!.required!.CLAW_WEB_PASSWORD!;

describeRuntimeImage(microclaw, {
  extra: (ctx) => {
    /** The `web password` calls the stand-in recorded (the password itself hashed). */
    const passwordCalls = async (c: Container) => (await standinCalls(c)).filter((x) => x.argv.includes("password"));

    it("sets the web password before the start, as the runtime user, and only when it changed", async () => {
      const c = await ctx.start(ctx.required);
      let calls = await passwordCalls(c);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.argv).toEqual(["microclaw", "--config", ctx.decl.config.path, "web", "password", fnv1a64(password)]);
      expect(calls[0]!.uid).toBe(ctx.decl.user.uid);
      const rt = await runtimeProcess(c.name);
      expect(rt.argv).toEqual(["microclaw", "--config", ctx.decl.config.path, "start"]);
      expect(rt.env.CLAW_WEB_PASSWORD).toBeUndefined();

      // Restarts with the same password do not call it again (it revokes every session).
      await dockerOk(["restart", c.name]);
      await waitHealthy(c.name);
      expect(await passwordCalls(c)).toHaveLength(1);

      // A new password (same volume) is set once.
      await dockerOk(["rm", "-f", c.name]);
      const c2 = await ctx.start({ CLAW_WEB_PASSWORD: `${password}-v2` }, { volume: c.volume });
      calls = await passwordCalls(c2);
      expect(calls).toHaveLength(2);
      expect(calls[1]!.argv.at(-1)).toBe(fnv1a64(`${password}-v2`));

      // Without the variable, the password set earlier stays.
      await dockerOk(["rm", "-f", c2.name]);
      const c3 = await ctx.start({}, { volume: c.volume });
      expect(await passwordCalls(c3)).toHaveLength(2);
    }, 180_000);

    it.each([
      ["missing on a fresh volume", undefined],
      ["shorter than 8 characters", "short"],
      ["padded with white space", ` ${password} `],
    ] as const)("refuses a web password %s, naming the variable", async (_what, value) => {
      const env: Record<string, string> = value === undefined ? {} : { CLAW_WEB_PASSWORD: value };
      const r = await ctx.runOnce(env, [], fleetFlags(ctx.decl));
      expect(r.code).not.toBe(0);
      expect(r.err).toContain("clawlab: CLAW_WEB_PASSWORD:");
      if (value) expect(r.err).not.toContain(value.trim());
    }, 60_000);

    it("runs other microclaw commands without touching the password", async () => {
      const r = await ctx.runOnce(ctx.required, ["microclaw", "--config", ctx.decl.config.path, "web", "password-generate"], fleetFlags(ctx.decl));
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain("one-shot");
    }, 60_000);
  },
});
