/** ZeroClaw's image on a real engine: the generic suite plus its seed-once config. */
import { expect, it } from "vitest";
import { zeroclaw } from "../../runtimes/zeroclaw/declaration";
import { dockerOk, exec, readFileIn, runtimeProcess, standinState, waitHealthy } from "./harness";
import { describeRuntimeImage } from "./runtime-suite";

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
  },
});
