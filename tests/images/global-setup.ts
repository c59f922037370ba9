/**
 * Global setup of the image tests: a running engine (tests/infra/engine.sh), the base
 * image (tests/infra/base-image.sh), the stand-in, and the test images, built one after
 * the other (2 cores): every runtime's stand-in image (the Compose and status suites run
 * those) and, where this machine can have the real runtime (artifacts.ts), the real one
 * its own suite runs. CLAWLAB_IMAGES=zeroclaw,nullclaw limits the set; by default every
 * runtime that has a Dockerfile is built.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { RUNTIME_NAMES, type RuntimeName } from "../../runtimes/types";
import { artifactKind, buildSuiteImage } from "./artifacts";
import { RUNTIMES_DIR, buildRuntimeImage, buildStandin, dockerBin, ensureBaseImage } from "./harness";

export default async function setup(): Promise<void> {
  dockerBin();
  ensureBaseImage();
  buildStandin();
  const wanted = process.env.CLAWLAB_IMAGES?.split(",").map((s) => s.trim()).filter(Boolean);
  const names = RUNTIME_NAMES.filter((n) => (wanted ? wanted.includes(n) : fs.existsSync(path.join(RUNTIMES_DIR, n, "Dockerfile")))) as RuntimeName[];
  for (const name of names) await buildRuntimeImage(name);
  for (const name of names) {
    if (artifactKind(name) !== "standin") await buildSuiteImage(name);
  }
}
