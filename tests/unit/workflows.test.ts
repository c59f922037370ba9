/**
 * The GitHub Actions workflows (.github/workflows/*.yml), parsed: triggers, least-privilege
 * permissions, actions pinned to commits, per-stack concurrency, the commands they run, the
 * image builds' context, tags, platforms and cache, the runtime matrix against
 * RUNTIME_NAMES, and no secret in a script's text or output. The image tag logic runs for
 * real, with a stand-in `docker`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { declarations } from "../../runtimes";
import { RUNTIME_NAMES } from "../../runtimes/types";
import { runtimeBuildArgs } from "../../scripts/runtime-build-args";

const ROOT = path.join(__dirname, "../..");
const DIR = path.join(ROOT, ".github", "workflows");

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly if?: string;
}
interface Job {
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly secrets?: Record<string, string> | "inherit";
  readonly permissions?: Record<string, string> | string;
  readonly concurrency?: { group: string; "cancel-in-progress": boolean | string };
  readonly strategy?: { matrix: Record<string, unknown[]> };
  readonly environment?: string;
  readonly env?: Record<string, string>;
  readonly steps?: Step[];
}
interface Workflow {
  readonly file: string;
  readonly text: string;
  readonly on: Record<string, any>;
  readonly permissions?: Record<string, string> | string;
  readonly concurrency?: Job["concurrency"];
  readonly jobs: Record<string, Job>;
}

const workflows: Workflow[] = fs
  .readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((file) => {
    const text = fs.readFileSync(path.join(DIR, file), "utf8");
    return { file, text, ...YAML.parse(text) };
  });

function workflow(file: string): Workflow {
  const found = workflows.find((w) => w.file === file);
  if (!found) throw new Error(`no .github/workflows/${file}`);
  return found;
}
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps ?? []);
const step = (w: Workflow, action: string) => steps(w).find((s) => s.uses?.startsWith(`${action}@`));
const runs = (w: Workflow) => steps(w).flatMap((s) => (s.run ? [s.run] : []));
/** Called by other workflows only: its token and secrets are its callers'. */
const reusable = (w: Workflow) => Object.keys(w.on).every((event) => event === "workflow_call");
const sorted = (list: readonly unknown[]) => [...list].map(String).sort();

it("has the test, images and stacks workflows and their reusable parts", () => {
  expect(workflows.map((w) => w.file)).toEqual(["e2e.yml", "image-build.yml", "images.yml", "pulumi-stack.yml", "stacks.yml", "test.yml"]);
});

describe("every workflow", () => {
  it.each(workflows.map((w) => [w.file, w] as const))("%s pins every action to a full commit, version in a comment", (_, w) => {
    const uses = w.text.split("\n").filter((line) => /^\s*(- )?uses:/.test(line));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) {
      const ref = line.replace(/^\s*(- )?uses:\s*/, "");
      if (ref.startsWith("./")) continue; // this repository's own workflows
      expect(ref, line).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it("pins each action to one commit across all workflows", () => {
    const pins = new Map<string, Set<string>>();
    for (const w of workflows) {
      for (const s of steps(w)) {
        if (!s.uses || s.uses.startsWith("./")) continue;
        const [action, sha] = s.uses.split("@") as [string, string];
        pins.set(action, (pins.get(action) ?? new Set()).add(sha));
      }
    }
    for (const [action, shas] of pins) expect([...shas], action).toHaveLength(1);
  });

  it.each(workflows.map((w) => [w.file, w] as const))("%s grants the token read-only contents at the top, or nothing when reusable", (_, w) => {
    if (reusable(w)) {
      // A called workflow may not exceed its caller's permissions: it declares none.
      expect(w.permissions).toBeUndefined();
      for (const job of Object.values(w.jobs)) expect(job.permissions).toBeUndefined();
    } else {
      expect(w.permissions).toEqual({ contents: "read" });
    }
    expect(w.text).not.toMatch(/write-all|read-all/);
  });

  it("grants write scopes only where they are used", () => {
    const writes = workflows.flatMap((w) =>
      Object.entries(w.jobs).flatMap(([name, job]) =>
        Object.entries(typeof job.permissions === "object" ? job.permissions : {})
          .filter(([, level]) => level === "write")
          .map(([scope]) => `${w.file} ${name} ${scope}`),
      ),
    );
    expect(writes.sort()).toEqual([
      "images.yml publish packages",
      "stacks.yml preview id-token",
      "stacks.yml preview pull-requests",
      "stacks.yml up id-token",
    ]);
  });

  it.each(workflows.map((w) => [w.file, w] as const))("%s passes values to scripts through env, never ${{ }} in a script", (_, w) => {
    for (const script of runs(w)) expect(script).not.toContain("${{");
  });

  it.each(workflows.map((w) => [w.file, w] as const))("%s never prints a secret: a script only writes it to a file", (_, w) => {
    for (const s of steps(w)) {
      const secretVars = Object.entries(s.env ?? {})
        .filter(([, value]) => /secrets\.|github\.token/.test(String(value)))
        .map(([name]) => name);
      if (!s.run) continue;
      expect(s.run).not.toMatch(/set -x|set -o xtrace/);
      for (const line of s.run.split("\n")) {
        if (!secretVars.some((name) => new RegExp(`\\$\\{?${name}\\b`).test(line))) continue;
        expect(line, `${w.file}: ${line}`).toMatch(/>\s*[~/$"\w]/);
        expect(line, `${w.file}: ${line}`).not.toMatch(/>>?\s*"?\$GITHUB_(OUTPUT|STEP_SUMMARY|ENV)/);
      }
    }
  });
});

describe("test.yml", () => {
  const w = workflow("test.yml");

  it("runs on every push to main and every pull request", () => {
    expect(w.on.push).toEqual({ branches: ["main"] });
    expect(w.on).toHaveProperty("pull_request");
    expect(w.on.pull_request?.paths).toBeUndefined();
  });

  it("runs .ci/run as root in a privileged Debian bookworm container with its own engine", () => {
    const script = runs(w).find((r) => r.includes(".ci/run"))!;
    expect(script).toMatch(/docker run --rm --privileged/);
    expect(script).toMatch(/"\$DEBIAN_IMAGE" \.ci\/run$/m);
    expect(w.jobs["ci-run"]!.env!.DEBIAN_IMAGE).toMatch(/-bookworm@sha256:[0-9a-f]{64}$/);
  });

  it("tests with the oldest Node the project supports", () => {
    const engines = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node as string;
    expect(engines).toMatch(/^>=20\./);
    expect(step(w, "actions/setup-node")!.with!["node-version"]).toBe("20");
  });
});

describe("e2e.yml", () => {
  const e2e = workflow("e2e.yml");

  it("runs the suite on the real engine on every push to main and every pull request", () => {
    expect(e2e.on).toEqual({ push: { branches: ["main"] }, pull_request: null });
    expect(runs(e2e).join("\n")).toContain("npm run test:e2e");
  });

  it("installs only the Pulumi CLI of the SDK the program uses (no command, no stack of its own)", () => {
    const sdk = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
    const pulumi = step(e2e, "pulumi/actions")!;
    expect(pulumi.with).toEqual({ "pulumi-version": sdk });
  });
});

describe("images.yml and image-build.yml", () => {
  const w = workflow("images.yml");
  const build = workflow("image-build.yml");
  const buildStep = step(build, "docker/build-push-action")!;
  const inputs = buildStep.with as Record<string, string>;

  it("runs when a runtime or the image workflow changes, on main and on pull requests", () => {
    const paths = ["runtimes/**", "scripts/runtime-build-args.ts", ".github/workflows/images.yml", ".github/workflows/image-build.yml"];
    expect(w.on.push).toEqual({ branches: ["main"], paths });
    expect(w.on.pull_request).toEqual({ paths });
  });

  it("builds every runtime in RUNTIME_NAMES, and RUNTIME_NAMES is every runtimes/*/Dockerfile", () => {
    const dockerfiles = fs.readdirSync(path.join(ROOT, "runtimes")).filter((d) => fs.existsSync(path.join(ROOT, "runtimes", d, "Dockerfile")));
    expect(sorted(dockerfiles)).toEqual(sorted(RUNTIME_NAMES));
    for (const job of Object.values(w.jobs)) expect(sorted(job.strategy!.matrix.runtime!)).toEqual(sorted(RUNTIME_NAMES));
  });

  // Pull requests only build (packages: read for the cache); main publishes.
  it.each([
    ["build", "github.event_name == 'pull_request'", false, "read"],
    ["publish", "github.event_name == 'push' && github.ref == 'refs/heads/main'", true, "write"],
  ] as const)("job %s runs if %s, publish: %s, packages: %s", (name, condition, publish, packages) => {
    const job = w.jobs[name]!;
    expect(job.if).toBe(condition);
    expect(job.uses).toBe("./.github/workflows/image-build.yml");
    expect(job.with).toEqual({ runtime: "${{ matrix.runtime }}", publish });
    expect(job.permissions).toEqual({ contents: "read", packages });
  });

  it("never cuts a publish short", () => {
    expect(w.concurrency).toEqual({ group: "images-${{ github.ref }}", "cancel-in-progress": "${{ github.event_name == 'pull_request' }}" });
  });

  it("builds from runtimes/ with the runtime's Dockerfile at its declared version", () => {
    expect(inputs.context).toBe("runtimes");
    expect(inputs.file).toBe("runtimes/${{ inputs.runtime }}/Dockerfile");
    expect(inputs["build-args"]!.trim().split("\n")).toEqual([
      "VERSION=${{ steps.args.outputs.version }}",
      "REVISION=${{ steps.args.outputs.revision }}",
    ]);
    const args = steps(build).find((s) => s.id === "args")!;
    expect(args.run).toBe('npx tsx scripts/runtime-build-args.ts "$RUNTIME" >> "$GITHUB_OUTPUT"');
    expect(args.env).toEqual({ RUNTIME: "${{ inputs.runtime }}" });
    const order = steps(build).map((s) => s.run ?? s.uses?.split("@")[0]);
    expect(order.indexOf("npm ci --no-audit --no-fund")).toBeLessThan(order.indexOf(args.run));
  });

  it("reads each runtime's build args from its declaration", () => {
    for (const decl of declarations) {
      expect(runtimeBuildArgs(decl.name)).toEqual({ version: decl.defaultVersion, revision: decl.defaultRevision ?? "" });
    }
    expect(() => runtimeBuildArgs("clawless")).toThrow(/unknown runtime "clawless"; known: zeroclaw/);
  });

  it("builds linux/amd64 and linux/arm64 on a BuildKit builder with QEMU", () => {
    expect(sorted(inputs.platforms!.split(","))).toEqual(["linux/amd64", "linux/arm64"]);
    const order = steps(build).map((s) => s.uses?.split("@")[0]);
    const at = (action: string) => order.indexOf(action);
    expect(at("docker/setup-qemu-action")).toBeGreaterThan(-1);
    expect(at("docker/setup-qemu-action")).toBeLessThan(at("docker/setup-buildx-action"));
    expect(at("docker/setup-buildx-action")).toBeLessThan(at("docker/build-push-action"));
    expect(step(build, "docker/setup-buildx-action")!.with?.driver).toBeUndefined(); // docker-container
  });

  it("pushes only when publishing, and writes the registry cache only then", () => {
    expect(inputs.push).toBe("${{ inputs.publish }}");
    expect(inputs.tags).toBe("${{ steps.ref.outputs.tags }}");
    expect(inputs["cache-from"]).toBe("type=registry,ref=${{ steps.ref.outputs.image }}:buildcache");
    expect(inputs["cache-to"]).toBe(
      "${{ inputs.publish && format('type=registry,ref={0}:buildcache,mode=max,image-manifest=true,oci-mediatypes=true', steps.ref.outputs.image) || '' }}",
    );
  });

  it("reports the pushed digest", () => {
    const digest = steps(build).find((s) => s.name === "Digest")!;
    expect(buildStep.id).toBe("build");
    expect(digest.if).toBe("inputs.publish");
    expect(digest.env!.DIGEST).toBe("${{ steps.build.outputs.digest }}");
    expect(digest.run).toContain("$IMAGE@$DIGEST");
  });

  describe("the image name and tags", () => {
    const script = steps(build).find((s) => s.id === "ref")!;
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-workflow-"));
    // A stand-in `docker`: `buildx imagetools inspect` answers with $FAKE_OUT and $FAKE_RC.
    fs.writeFileSync(path.join(bin, "docker"), '#!/bin/sh\necho "$*" >> "$FAKE_CALLS"\necho "$FAKE_OUT" >&2\nexit "$FAKE_RC"\n', { mode: 0o755 });

    /** Runs the step as Actions would (bash, -e, pipefail) and returns its outputs. */
    function tagStep(publish: boolean, inspect: { rc: number; out: string }) {
      const output = path.join(bin, `output-${Math.random()}`);
      const calls = path.join(bin, `calls-${Math.random()}`);
      fs.writeFileSync(output, "");
      fs.writeFileSync(calls, "");
      const env = {
        PATH: `${bin}:${process.env.PATH}`,
        GITHUB_OUTPUT: output,
        OWNER: "CoderVisor",
        RUNTIME: "zeroclaw",
        VERSION: "v0.8.4",
        PUBLISH: String(publish),
        FAKE_RC: String(inspect.rc),
        FAKE_OUT: inspect.out,
        FAKE_CALLS: calls,
      };
      const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script.run!], { env, encoding: "utf8" });
      const outputs = Object.fromEntries(
        fs.readFileSync(output, "utf8").trim().split("\n").filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
      );
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs, calls: fs.readFileSync(calls, "utf8") };
    }

    it("names the image ghcr.io/<owner, lower-case>/<runtime>, tagged <version> and latest", () => {
      expect(script.env).toEqual({
        OWNER: "${{ github.repository_owner }}",
        RUNTIME: "${{ inputs.runtime }}",
        VERSION: "${{ steps.args.outputs.version }}",
        PUBLISH: "${{ inputs.publish }}",
      });
      const r = tagStep(false, { rc: 0, out: "" });
      expect(r.status).toBe(0);
      expect(r.outputs).toEqual({ image: "ghcr.io/codervisor/zeroclaw", tags: "ghcr.io/codervisor/zeroclaw:v0.8.4,ghcr.io/codervisor/zeroclaw:latest" });
      expect(r.calls).toBe(""); // a pull request asks the registry nothing
    });

    it("publishes a new <version> tag", () => {
      const r = tagStep(true, { rc: 1, out: "ERROR: ghcr.io/codervisor/zeroclaw:v0.8.4: not found" });
      expect(r.status).toBe(0);
      expect(r.calls.trim()).toBe("buildx imagetools inspect ghcr.io/codervisor/zeroclaw:v0.8.4");
      expect(r.outputs.tags).toBe("ghcr.io/codervisor/zeroclaw:v0.8.4,ghcr.io/codervisor/zeroclaw:latest");
    });

    it("never moves an existing <version> tag: only latest", () => {
      const r = tagStep(true, { rc: 0, out: "Name: ghcr.io/codervisor/zeroclaw:v0.8.4" });
      expect(r.status).toBe(0);
      expect(r.outputs.tags).toBe("ghcr.io/codervisor/zeroclaw:latest");
      expect(r.stdout).toMatch(/^::notice title=zeroclaw::.*v0\.8\.4 exists/m);
    });

    it("fails when the registry cannot say whether <version> exists", () => {
      const r = tagStep(true, { rc: 1, out: "ERROR: unauthorized: authentication required" });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain("unauthorized");
      expect(r.outputs).toEqual({});
    });
  });
});

describe("stacks.yml and pulumi-stack.yml", () => {
  const w = workflow("stacks.yml");
  const stack = workflow("pulumi-stack.yml");
  const pulumi = step(stack, "pulumi/actions")!;

  it("previews pull requests to main and deploys pushes to main", () => {
    expect(w.on).toEqual({ pull_request: { branches: ["main"] }, push: { branches: ["main"] } });
    expect(w.jobs.preview!.if).toBe("github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository");
    expect(w.jobs.up!.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(w.jobs.preview!.with).toEqual({ stack: "${{ matrix.stack }}", command: "preview" });
    expect(w.jobs.up!.with).toEqual({ stack: "${{ matrix.stack }}", command: "up" });
    for (const job of [w.jobs.preview!, w.jobs.up!]) {
      expect(job.uses).toBe("./.github/workflows/pulumi-stack.yml");
      expect(job.secrets).toEqual({ DEPLOY_SSH_KEY: "${{ secrets.DEPLOY_SSH_KEY }}" });
    }
  });

  it("runs the deployed stacks, each with its stack file, never the local-only dev stack", () => {
    const previewed = w.jobs.preview!.strategy!.matrix.stack!;
    expect(w.jobs.up!.strategy!.matrix.stack).toEqual(previewed);
    expect(previewed).toEqual(["prod"]);
    for (const name of previewed) {
      const file = path.join(ROOT, `Pulumi.${name}.yaml`);
      expect(fs.existsSync(file), file).toBe(true);
      expect(YAML.parse(fs.readFileSync(file, "utf8")).config["clawlab:localRegistry"]).toBeUndefined();
    }
  });

  it("deploys one update per stack at a time, queued, never cancelled", () => {
    expect(w.jobs.up!.concurrency).toEqual({ group: "pulumi-${{ matrix.stack }}", "cancel-in-progress": false });
    // Previews take no lock: one per stack and pull request, the newest wins.
    expect(w.jobs.preview!.concurrency).toEqual({
      group: "pulumi-${{ matrix.stack }}-preview-${{ github.event.pull_request.number }}",
      "cancel-in-progress": true,
    });
  });

  it("authenticates to Pulumi Cloud by OIDC", () => {
    expect(w.jobs.preview!.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    expect(w.jobs.up!.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(step(stack, "pulumi/auth-actions")!.with).toEqual({
      organization: "${{ vars.PULUMI_ORG }}",
      "requested-token-type": "urn:pulumi:token-type:access_token:organization",
    });
    expect(stack.text).not.toContain("PULUMI_ACCESS_TOKEN: ${{");
  });

  it("installs the locked dependencies, then runs pulumi <command> on the stack, the preview's diff on the PR", () => {
    const order = steps(stack).map((s) => s.run ?? s.uses?.split("@")[0]);
    const at = (what: string) => order.indexOf(what);
    expect(at("npm ci --no-audit --no-fund")).toBeGreaterThan(at("actions/setup-node"));
    expect(at("npm ci --no-audit --no-fund")).toBeLessThan(at("pulumi/actions"));
    expect(at("pulumi/auth-actions")).toBeLessThan(at("pulumi/actions"));
    expect(at("docker/setup-buildx-action")).toBeLessThan(at("pulumi/actions"));
    expect(pulumi.with).toMatchObject({
      command: "${{ inputs.command }}",
      "stack-name": "${{ vars.PULUMI_ORG }}/${{ inputs.stack }}",
      diff: true,
      "comment-on-pr": "${{ inputs.command == 'preview' }}",
    });
    // The policy pack guards previews and updates alike, from the folder the repository ships.
    expect(pulumi.with!.policyPacks).toBe("policy");
    expect(fs.existsSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"))).toBe(true);
    expect(stack.jobs.pulumi!.environment).toBe("${{ inputs.command == 'up' && inputs.stack || '' }}");
  });

  it("installs the Pulumi CLI of the SDK the program uses", () => {
    const sdk = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
    expect(pulumi.with!["pulumi-version"]).toBe(sdk);
  });

  it("reaches the hosts with a key from secrets and pinned host keys, never trusting on first use", () => {
    const ssh = steps(stack).find((s) => s.name === "SSH access to the fleet's hosts")!;
    expect(ssh.env).toEqual({ DEPLOY_SSH_KEY: "${{ secrets.DEPLOY_SSH_KEY }}", DEPLOY_KNOWN_HOSTS: "${{ vars.DEPLOY_KNOWN_HOSTS }}" });
    expect(ssh.run).toContain("StrictHostKeyChecking yes");
    expect(ssh.run).not.toContain("ssh-keyscan");
    expect(stack.on.workflow_call.secrets).toEqual({ DEPLOY_SSH_KEY: expect.objectContaining({ required: true }) });
  });
});
