/**
 * What each runtime's image is tested with on this machine: the REAL runtime wherever it
 * can be had, the test stand-in otherwise. In order:
 *   - `build`: the Dockerfile's own build stage, on a local toolchain image
 *     (toolchains.ts), for the runtimes whose build needs only the registries reachable
 *     here: OpenClaw (npm), PicoClaw (the Go module proxy). `CLAWLAB_STANDIN=picoclaw,...`
 *     runs these on the stand-in instead (a quick loop while editing the entrypoint);
 *   - `prebuilt`: `$CLAWLAB_ARTIFACTS/<name>/`, the build stage's `/out` tree built
 *     elsewhere (from an upstream checkout that cannot be reached from a build stage
 *     here), copied into a local artifact image that `ARTIFACT_STAGE` names;
 *   - `standin`: runtimes/shared/standin, the generic C stand-in.
 * Real images are tagged `clawlab-test/<name>:real`; the stand-in images keep
 * `clawlab-test/<name>:latest`, which the Compose and status suites use.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RuntimeName } from "../../runtimes/types";
import { buildRuntimeImage, docker, dockerOk, testImage, type BuildOptions } from "./harness";
import { ensureGoImage, ensureNodeImage } from "./toolchains";

/** The build args that point a runtime's build stage at a local toolchain image. */
const TOOLCHAIN_BUILDS: Partial<Record<RuntimeName, () => Promise<Record<string, string>>>> = {
  openclaw: async () => ({ BUILD_IMAGE: await ensureNodeImage() }),
  picoclaw: async () => ({ GO_IMAGE: await ensureGoImage() }),
};

export type ArtifactKind = "build" | "prebuilt" | "standin";

/** A comma list from the environment. */
function envList(name: string): string[] {
  return (process.env[name] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** The prebuilt `/out` tree of a runtime, when `CLAWLAB_ARTIFACTS` holds one. */
function prebuiltDir(name: string): string | undefined {
  const root = process.env.CLAWLAB_ARTIFACTS;
  const dir = root ? path.resolve(root, name) : undefined;
  return dir && fs.existsSync(dir) ? dir : undefined;
}

/** How a runtime's own suite gets its artifact here (decided without building anything). */
export function artifactKind(name: string): ArtifactKind {
  if (envList("CLAWLAB_STANDIN").includes(name)) return "standin";
  if (prebuiltDir(name)) return "prebuilt";
  if (name in TOOLCHAIN_BUILDS) return "build";
  return "standin";
}

/** The test image tag of a runtime's own suite. */
export function suiteImage(name: string): string {
  return artifactKind(name) === "standin" ? testImage(name) : `clawlab-test/${name}:real`;
}

/**
 * A digest of a prebuilt tree by paths, modes, sizes and mtimes (hashing every byte of a
 * Node runtime's node_modules on each test file would cost seconds; a rebuilt tree has
 * new mtimes).
 */
function treeDigest(dir: string): string {
  const h = createHash("sha256");
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      h.update(`${path.relative(dir, p)}\0${st.mode}\0${st.size}\0${st.mtimeMs}\0`);
      if (e.isSymbolicLink()) h.update(fs.readlinkSync(p));
      else if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return h.digest("hex").slice(0, 16);
}

/** A local image holding a prebuilt `/out` tree, for `ARTIFACT_STAGE`; built once per content. */
async function prebuiltArtifactImage(name: string, dir: string): Promise<string> {
  const tag = `clawlab-test/${name}-artifact:${treeDigest(dir)}`;
  if ((await docker(["image", "inspect", "--format", "{{.Id}}", tag])).code === 0) return tag;
  await dockerOk(["build", "-q", "-t", tag, "-f", "-", dir], { input: "FROM scratch\nCOPY . /out/\n" });
  process.stderr.write(`[images] ${tag} holds ${dir}\n`);
  return tag;
}

/** The build of a runtime's suite image: artifact stage, build args and tag. */
export async function artifactBuild(name: RuntimeName): Promise<Required<Pick<BuildOptions, "artifact" | "buildArgs" | "tag">>> {
  const kind = artifactKind(name);
  const tag = suiteImage(name);
  if (kind === "prebuilt") return { artifact: await prebuiltArtifactImage(name, prebuiltDir(name)!), buildArgs: {}, tag };
  if (kind === "build") return { artifact: "build", buildArgs: await TOOLCHAIN_BUILDS[name]!(), tag };
  return { artifact: "standin", buildArgs: {}, tag };
}

/** Builds (or finds current) the image a runtime's own suite runs; returns its tag. */
export async function buildSuiteImage(name: RuntimeName): Promise<string> {
  return buildRuntimeImage(name, await artifactBuild(name));
}
