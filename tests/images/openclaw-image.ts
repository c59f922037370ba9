/**
 * Builds the OpenClaw test image from its REAL build stage: `npm ci` of the committed
 * lockfile (runtimes/openclaw/install/) inside `docker build`, on the local Node
 * toolchain image (openclaw-node.ts) given as BUILD_IMAGE instead of the pinned
 * node:24-bookworm, which cannot be pulled here. Nothing is a stand-in: the image runs
 * the published openclaw@<version> gateway.
 *
 * Bridge to the generic suite: runtime-suite.ts builds `{ artifact: "build" }` and, as
 * long as it does not pass build args through (tests/images/README.md says it will),
 * computes its cache hash without BUILD_IMAGE and would try to pull node:24-bookworm.
 * So this helper builds first (tag clawlab-test/openclaw:real, the harness's own hash
 * and lock) and then gives clawlab-test/openclaw:latest the label the suite looks for
 * (same layers, one label changed), so the suite finds it current and does not
 * rebuild. When the suite passes `buildArgs`, the relabel step is simply redundant.
 */
import type { RuntimeName } from "../../runtimes/types";
import { TEST_BASE_IMAGE, buildRuntimeImage, docker, dockerOk, inputsHash, testImage } from "./harness";
import { ensureNodeImage } from "./openclaw-node";

const INPUTS_LABEL = "org.clawlab.test.inputs";

/** The build args of a real (non-stand-in) test build of a Node runtime. */
export async function nodeBuildArgs(): Promise<Record<string, string>> {
  return { BUILD_IMAGE: await ensureNodeImage() };
}

/**
 * Builds clawlab-test/<name>:latest from the real build stage (artifact "build") with the
 * local Node toolchain, labelled so that the generic suite's own build call finds it
 * current. Returns the tag.
 */
export async function buildRealNodeImage(name: RuntimeName): Promise<string> {
  const buildArgs = await nodeBuildArgs();
  const real = await buildRuntimeImage(name, { artifact: "build", buildArgs, tag: `clawlab-test/${name}:real` });
  const tag = testImage(name);
  // The hash the suite computes today (no build args passed through).
  const suiteHash = inputsHash(name, { BASE_IMAGE: TEST_BASE_IMAGE, ARTIFACT_STAGE: "build" });
  const realId = (await dockerOk(["image", "inspect", "--format", "{{.Id}}", real])).out.trim();
  const cur = await docker(["image", "inspect", "--format", `{{ index .Config.Labels "${INPUTS_LABEL}" }} {{ index .Config.Labels "org.clawlab.test.from" }}`, tag]);
  if (cur.code === 0 && cur.out.trim() === `${suiteHash} ${realId}`) return tag;
  await dockerOk(["build", "-t", tag, "--label", `${INPUTS_LABEL}=${suiteHash}`, "--label", `org.clawlab.test.from=${realId}`, "-"], {
    input: `FROM ${real}\n`,
  });
  return tag;
}
