/**
 * The end-to-end suite's harness: the real Pulumi engine (the `pulumi` CLI with its
 * Node.js language host and the docker, docker-build, command and random plugins) runs
 * this repository's program, unchanged, as the dev stack: from a copy of the project in a
 * temp dir (so no stack file the engine writes, its encryption salt included, ever lands
 * in the checkout), with a file backend and a passphrase, on the local Docker engine. Two
 * things differ from `npm run dev`, both stack settings in the copy's Pulumi.dev.yaml:
 * images go to a registry started by tests/infra/registry.sh instead of the program's own
 * `registry:2` (nothing can be pulled from Docker Hub on the test machines), and
 * `clawlab:buildArgs` gives the build stages local base and toolchain images
 * (tests/images/toolchains.ts, pushed to that registry) for the same reason.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { REPO, TEST_BASE_IMAGE, dockerOk, ensureBaseImage, run, runOk, type Result } from "../images/harness";
import { ensureGoImage, ensureNodeImage } from "../images/toolchains";

/** The e2e registry: its own port, so it never meets a dev stack's registry on 5000. */
export const REGISTRY = { port: 5055, user: "clawlab-e2e", password: `e2e-${randomBytes(12).toString("hex")}` } as const;

/** One run's workspace: a copy of the project, its state backend and passphrase. */
export interface Workspace {
  readonly dir: string;
  /** The copy of the project the engine runs in (the committed files; node_modules linked). */
  readonly project: string;
  /** The canonical file the copy's Pulumi.dev.yaml names. */
  readonly canonical: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The `pulumi` CLI on PATH, or a clear failure saying how to get it. */
export async function pulumiVersion(): Promise<string> {
  const r = await run("sh", ["-c", "command -v pulumi >/dev/null && pulumi version"]);
  if (r.code !== 0) {
    throw new Error("the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/), or build it here with tests/infra/pulumi.sh");
  }
  return r.out.trim();
}

/**
 * Starts what the stack needs and returns the registry address and the build args:
 * the engine, the registry, a BuildKit builder (tests/infra/buildkitd.sh: docker-build
 * does not build with the engine's own BuildKit and would otherwise pull moby/buildkit),
 * and the base and toolchain images, pushed to the registry, where that builder finds them.
 */
export async function ensureServices(): Promise<{ registry: string; buildArgs: Record<string, string> }> {
  ensureBaseImage();
  const local = { BASE_IMAGE: TEST_BASE_IMAGE, BUILD_IMAGE: await ensureNodeImage(), GO_IMAGE: await ensureGoImage() };
  const registry = (
    await runOk(path.join(REPO, "tests/infra/registry.sh"), [String(REGISTRY.port)], {
      env: { ...process.env, REGISTRY_USER: REGISTRY.user, REGISTRY_PASSWORD: REGISTRY.password },
    })
  ).out.trim();
  await runOk(path.join(REPO, "tests/infra/buildkitd.sh"), [registry], { timeoutMs: 30 * 60_000 });
  // Push with a throw-away client config, so no credential is left in ~/.docker.
  const dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-e2e-docker-"));
  const env = { ...process.env, DOCKER_CONFIG: dockerConfig };
  try {
    await dockerOk(["login", "-u", REGISTRY.user, "--password-stdin", registry], { input: REGISTRY.password, env });
    const buildArgs: Record<string, string> = {};
    for (const [arg, image] of Object.entries(local)) {
      const remote = `${registry}/${image}`;
      await dockerOk(["tag", image, remote]);
      await dockerOk(["push", remote], { env, timeoutMs: 10 * 60_000 });
      buildArgs[arg] = remote;
    }
    return { registry, buildArgs };
  } finally {
    fs.rmSync(dockerConfig, { recursive: true, force: true });
  }
}


/**
 * A fresh workspace: a copy of the project (what `git ls-files` lists, as the working tree
 * has it), `file://` state and a random passphrase, the canonical file given, and
 * Pulumi.dev.yaml with the e2e's stack settings on top.
 */
export async function workspace(canonical: string, settings: Record<string, unknown>): Promise<Workspace> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-e2e-"));
  const project = path.join(dir, "project");
  const files = (await runOk("git", ["ls-files", "-z"], { cwd: REPO })).out.split("\0").filter(Boolean);
  for (const f of files) {
    const from = path.join(REPO, f);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(project, f)), { recursive: true });
    fs.copyFileSync(from, path.join(project, f));
    fs.chmodSync(path.join(project, f), fs.statSync(from).mode);
  }
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(project, "node_modules"));
  fs.mkdirSync(path.join(dir, "state"));
  const canonicalFile = path.join(project, "clawlab.e2e.toml");
  fs.writeFileSync(canonicalFile, canonical);
  const dev = YAML.parse(fs.readFileSync(path.join(project, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
  const config = { ...dev.config, "clawlab:configFile": path.basename(canonicalFile), ...settings };
  fs.writeFileSync(path.join(project, "Pulumi.dev.yaml"), YAML.stringify({ config }));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: randomBytes(24).toString("base64"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    // No colour codes in what the tests read.
    PULUMI_NO_COLOR: "true",
    NO_COLOR: "1",
  };
  return { dir, project, canonical: canonicalFile, env };
}

/** `pulumi ARGS --stack dev` in the workspace's copy of the project, with its env. */
export async function pulumi(ws: Workspace, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<Result> {
  const r = await run("pulumi", [...args, "--stack", "dev", "--non-interactive"], {
    cwd: ws.project,
    env: ws.env,
    input: opts.input,
    timeoutMs: opts.timeoutMs ?? 40 * 60_000,
  });
  process.stderr.write(`[e2e] pulumi ${args.join(" ")}: exit ${r.code}\n`);
  return r;
}

/** Like pulumi(), throwing with the command's output when it fails. */
export async function pulumiOk(ws: Workspace, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<Result> {
  const r = await pulumi(ws, args, opts);
  if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${(r.out + r.err).slice(-12000)}`);
  return r;
}

/** The stack's outputs (secrets shown only when asked). */
export async function outputs(ws: Workspace, showSecrets = false): Promise<any> {
  const r = await pulumiOk(ws, ["stack", "output", "--json", ...(showSecrets ? ["--show-secrets"] : [])]);
  return JSON.parse(r.out);
}

/** One step of `pulumi preview --json`. */
export interface Step {
  readonly op: string;
  readonly urn: string;
}

/** The resource type and name of a URN (`...::docker:index/container:Container::e2e-picoclaw-container`). */
export function urnName(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const types = parts[2]!.split("$");
  return { type: types[types.length - 1]!, name: parts[3]! };
}

/** What a `pulumi preview --json` would change: every step that is not `same`. */
export async function plannedChanges(ws: Workspace): Promise<Step[]> {
  const r = await pulumiOk(ws, ["preview", "--json"]);
  const doc = JSON.parse(r.out) as { steps?: Step[] };
  return (doc.steps ?? []).filter((s) => s.op !== "same");
}

/** `docker inspect` fields of a fleet's containers, by name. */
export async function fleetContainers(fleet: string): Promise<Map<string, { id: string; health: string; volumes: string[] }>> {
  const ids = (await dockerOk(["ps", "-aq", "--filter", `label=dev.clawlab.fleet=${fleet}`])).out.split("\n").filter(Boolean);
  const out = new Map<string, { id: string; health: string; volumes: string[] }>();
  if (ids.length === 0) return out;
  const info = JSON.parse((await dockerOk(["inspect", ...ids])).out) as any[];
  for (const c of info) {
    out.set(c.Name.replace(/^\//, ""), {
      id: c.Id,
      health: c.State.Health?.Status ?? "none",
      volumes: (c.Mounts ?? []).filter((m: any) => m.Type === "volume").map((m: any) => m.Name),
    });
  }
  return out;
}

/** The names of a fleet's volumes. */
export async function fleetVolumes(fleet: string): Promise<string[]> {
  return (await dockerOk(["volume", "ls", "-q", "--filter", `label=dev.clawlab.fleet=${fleet}`])).out.split("\n").filter(Boolean).sort();
}
