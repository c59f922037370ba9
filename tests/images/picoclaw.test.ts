/** PicoClaw's image on a real engine: the generic suite plus its config location. */
import { expect, it } from "vitest";
import { picoclaw } from "../../runtimes/picoclaw/declaration";
import { standinState } from "./harness";
import { describeRuntimeImage } from "./runtime-suite";

describeRuntimeImage(picoclaw, {
  extra: (ctx) => {
    it("makes PicoClaw read the rendered config.json from the volume, whatever the caller sets", async () => {
      const c = await ctx.start({ ...ctx.required, PICOCLAW_CONFIG: "/tmp/other.json", PICOCLAW_HOME: "/tmp" });
      const st = await standinState(c);
      expect(st.configPath).toBe(ctx.decl.config.path);
      expect(st.env.PICOCLAW_HOME).toBe(ctx.decl.stateDir);
      expect(st.argv.slice(1)).toEqual(["gateway"]);
    }, 120_000);
  },
});
