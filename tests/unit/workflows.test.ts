/**
 * The GitHub Actions workflows (.github/workflows/*.yml): what no linter can know. `npm run
 * lint` checks their syntax, expressions, action inputs, run: scripts (actionlint with
 * ShellCheck) and their security (zizmor: actions pinned to commits, permissions, template
 * injection, credentials, cache poisoning). Here: the steps that compute something run for
 * real (the build args, the image tags against a stand-in `docker`), and the workflows are
 * held to the rest of the repository (runtimes, Node and Pulumi versions, stack files, the
 * policy pack, path filters), to each other (one commit per action) and to one rule of ours
 * (a secret is only ever written to a file).
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
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

interface Step {
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly strategy?: { matrix: Record<string, unknown[]> };
  readonly steps?: Step[];
}
interface Workflow {
  readonly file: string;
  readonly on: Record<string, any>;
  readonly jobs: Record<string, Job>;
}

const workflows: Workflow[] = fs
  .readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((file) => ({ file, ...YAML.parse(fs.readFileSync(path.join(DIR, file), "utf8")) }));

function workflow(file: string): Workflow {
  const found = workflows.find((w) => w.file === file);
  if (!found) throw new Error(`no .github/workflows/${file}`);
  return found;
}
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps ?? []);
const step = (w: Workflow, action: string) => steps(w).find((s) => s.uses?.startsWith(`${action}@`));
const sorted = (list: readonly unknown[]) => [...list].map(String).sort();

/** Runs a step's script as Actions would (bash, -e, pipefail) with ENV; returns its GITHUB_OUTPUT pairs. */
function runStep(script: string, env: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-workflow-"));
  const output = path.join(dir, "output");
  fs.writeFileSync(output, "");
  const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
    cwd: ROOT,
    env: { ...process.env, ...env, PATH: [env.PATH, process.env.PATH].filter(Boolean).join(":"), GITHUB_OUTPUT: output },
    encoding: "utf8",
  });
  const outputs = Object.fromEntries(
    fs.readFileSync(output, "utf8").trim().split("\n").filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs };
}

describe("every workflow", () => {
  it("pins each action to one commit across all workflows", () => {
    const pins = new Map<string, Set<string>>();
    for (const s of workflows.flatMap(steps)) {
      if (!s.uses || s.uses.startsWith("./")) continue;
      const [action, sha] = s.uses.split("@") as [string, string];
      pins.set(action, (pins.get(action) ?? new Set()).add(sha));
    }
    expect(pins.size).toBeGreaterThan(0);
    for (const [action, shas] of pins) expect([...shas], action).toHaveLength(1);
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

  it("filters on paths that exist", () => {
    for (const w of workflows) {
      for (const event of Object.values(w.on ?? {})) {
        for (const p of (event?.paths ?? []) as string[]) {
          const fixed = p.split(/[*?[]/)[0]!.replace(/\/$/, "");
          expect(fs.existsSync(path.join(ROOT, fixed)), `${w.file}: ${p}`).toBe(true);
        }
      }
    }
  });
});

describe("the versions the workflows install", () => {
  it("test.yml tests with the oldest Node the project supports", () => {
    expect(PACKAGE.engines.node).toMatch(/^>=20\./);
    expect(step(workflow("test.yml"), "actions/setup-node")!.with!["node-version"]).toBe("20");
  });

  it.each(["e2e.yml", "pulumi-stack.yml"])("%s installs the Pulumi CLI of the SDK the program uses", (file) => {
    expect(step(workflow(file), "pulumi/actions")!.with!["pulumi-version"]).toBe(PACKAGE.dependencies["@pulumi/pulumi"]);
  });
});

describe("images.yml and image-build.yml", () => {
  const build = workflow("image-build.yml");

  it("builds every runtime in RUNTIME_NAMES, and RUNTIME_NAMES is every runtimes/*/Dockerfile", () => {
    const dockerfiles = fs.readdirSync(path.join(ROOT, "runtimes")).filter((d) => fs.existsSync(path.join(ROOT, "runtimes", d, "Dockerfile")));
    expect(sorted(dockerfiles)).toEqual(sorted(RUNTIME_NAMES));
    for (const job of Object.values(workflow("images.yml").jobs)) expect(sorted(job.strategy!.matrix.runtime!)).toEqual(sorted(RUNTIME_NAMES));
  });

  it("reads each runtime's build args from its declaration", () => {
    for (const decl of declarations) {
      expect(runtimeBuildArgs(decl.name)).toEqual({ version: decl.defaultVersion, revision: decl.defaultRevision ?? "" });
    }
    expect(() => runtimeBuildArgs("clawless")).toThrow(/unknown runtime "clawless"; known: zeroclaw/);
  });

  it("the args step gives the build the runtime's declared version and revision", () => {
    const args = steps(build).find((s) => s.id === "args")!;
    const decl = declarations.find((d) => d.name === "zeroclaw")!;
    const r = runStep(args.run!, { RUNTIME: "zeroclaw" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.outputs).toEqual({ version: decl.defaultVersion, revision: decl.defaultRevision ?? "" });
  });

  describe("the image name and tags", () => {
    const script = steps(build).find((s) => s.id === "ref")!;
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-workflow-"));
    // A stand-in `docker`: `buildx imagetools inspect` answers with $FAKE_OUT and $FAKE_RC.
    fs.writeFileSync(path.join(bin, "docker"), '#!/bin/sh\necho "$*" >> "$FAKE_CALLS"\necho "$FAKE_OUT" >&2\nexit "$FAKE_RC"\n', { mode: 0o755 });

    /** Runs the step with the env the workflow gives it, against the stand-in. */
    function tagStep(publish: boolean, inspect: { rc: number; out: string }) {
      const calls = path.join(bin, `calls-${Math.random()}`);
      fs.writeFileSync(calls, "");
      const r = runStep(script.run!, {
        PATH: bin,
        OWNER: "CoderVisor",
        RUNTIME: "zeroclaw",
        VERSION: "v0.8.4",
        PUBLISH: String(publish),
        FAKE_RC: String(inspect.rc),
        FAKE_OUT: inspect.out,
        FAKE_CALLS: calls,
      });
      return { ...r, calls: fs.readFileSync(calls, "utf8") };
    }

    it("names the image ghcr.io/<owner, lower-case>/<runtime>, tagged <version> and latest", () => {
      // The env the runs below stand in for.
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
  it("runs the deployed stacks, each with its stack file, never the local-only dev stack", () => {
    const w = workflow("stacks.yml");
    const previewed = w.jobs.preview!.strategy!.matrix.stack!;
    expect(w.jobs.up!.strategy!.matrix.stack).toEqual(previewed);
    expect(previewed).toEqual(["prod"]);
    for (const name of previewed) {
      const file = path.join(ROOT, `Pulumi.${name}.yaml`);
      expect(fs.existsSync(file), file).toBe(true);
      expect(YAML.parse(fs.readFileSync(file, "utf8")).config["clawlab:localRegistry"]).toBeUndefined();
    }
  });

  it("guards previews and updates with the policy pack the repository ships", () => {
    const pack = step(workflow("pulumi-stack.yml"), "pulumi/actions")!.with!.policyPacks as string;
    expect(fs.existsSync(path.join(ROOT, pack, "PulumiPolicy.yaml"))).toBe(true);
  });
});
