/** runtime.conf hands the declaration's command to the entrypoint, which splits it back into the same words. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { declarations } from "../../runtimes";
import { renderRuntimeConf } from "../../runtimes/contract-files";

/** Sources a runtime.conf in sh and splits CLAW_COMMAND the way claw_main does (blanks, no globbing). */
function commandWords(conf: string): string[] {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-conf-")), "runtime.conf");
  fs.writeFileSync(file, conf);
  const r = spawnSync("sh", ["-c", '. "$1"; set -f; set -- $CLAW_COMMAND; printf "%s\\n" "$@"', "sh", file], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\n").slice(0, -1);
}

describe("runtime.conf CLAW_COMMAND", () => {
  it.each(declarations.map((d) => [d.name, d] as const))("%s: splits back into image.command (the image's CMD)", (_name, decl) => {
    expect(commandWords(renderRuntimeConf(decl))).toEqual(decl.image.command);
  });

  it.each(["two words", "glob*", "", "$HOME"])("refuses a command word %j that would not split back, naming the runtime", (word) => {
    const decl = { ...declarations[0]!, image: { ...declarations[0]!.image, command: ["claw", word] } };
    expect(() => renderRuntimeConf(decl)).toThrow(new RegExp(`runtimes/${decl.name}: image.command word`));
  });
});
