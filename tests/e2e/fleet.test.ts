/**
 * The fleet program under the real Pulumi engine (harness.ts): a fleet of the runtimes that
 * build on these machines (OpenClaw from npm, PicoClaw from the Go module proxy) goes up,
 * stays free of phantom diffs, changes one runtime without touching the other, keeps its
 * secrets out of the state in plain text, passes the policy pack inside the engine, and
 * keeps its state volumes across a destroy. Each `it` is one step of that story, in order.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, exec, REPO } from "../images/harness";
import {
  REGISTRY,
  ensureServices,
  fleetContainers,
  fleetVolumes,
  outputs,
  plannedChanges,
  pulumi,
  pulumiOk,
  pulumiVersion,
  urnName,
  workspace,
  type Workspace,
} from "./harness";

const FLEET = "e2e";
/** A provider key with a findable marker; it must never sit in the state in plain text. */
const API_KEY = `sk-ant-e2e-${randomBytes(16).toString("hex")}`;

const canonical = (picoclawModel: string) => `
[fleet]
name = "${FLEET}"
registry = "127.0.0.1:${REGISTRY.port}/${FLEET}"

[hosts.local]
docker_host = "unix:///var/run/docker.sock"

[providers.claude]
type = "anthropic"
api_key = { secret = "e2eAnthropicKey" }

[runtimes.openclaw]
provider = "claude"
model = "claude-sonnet-4-5"
port = 28789

[runtimes.picoclaw]
provider = "claude"
model = "${picoclawModel}"
port = 28790
`;

const MINUTES = 60_000;
/** The committed dev stack file, which no step may change. */
const DEV_STACK_FILE = fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8");
let ws: Workspace;
/** Container ids by name after the first up. */
let first: Map<string, { id: string; health: string; volumes: string[] }>;
let firstOutputs: any;

beforeAll(async () => {
  process.stderr.write(`[e2e] ${await pulumiVersion()}\n`);
  const { registry, buildArgs } = await ensureServices();
  ws = await workspace(canonical("claude-sonnet-4-5"), {
    "clawlab:localRegistry": false,
    "clawlab:registry": `${registry}/${FLEET}`,
    "clawlab:registryUsername": REGISTRY.user,
    // The engine's own builder (docker driver) exports no registry cache.
    "clawlab:buildCache": "inline",
    "clawlab:buildArgs": buildArgs,
  });
  await pulumiOk(ws, ["stack", "init", "--secrets-provider", "passphrase"]);
  await pulumiOk(ws, ["config", "set", "--secret", "registryPassword"], { input: REGISTRY.password });
  await pulumiOk(ws, ["config", "set", "--secret", "e2eAnthropicKey"], { input: API_KEY });
}, 30 * MINUTES);

afterAll(async () => {
  if (!ws) return;
  await pulumi(ws, ["destroy", "--yes", "--skip-preview"]);
  for (const v of await fleetVolumes(FLEET)) await docker(["volume", "rm", "-f", v]);
  // No `pulumi stack rm`: it would delete the repository's Pulumi.dev.yaml; the state goes with the temp dir.
  fs.rmSync(ws.dir, { recursive: true, force: true });
}, 10 * MINUTES);

describe("the dev stack on the real engine", () => {
  it("pulumi up succeeds and every container is healthy", async () => {
    const t0 = Date.now();
    await pulumiOk(ws, ["up", "--yes", "--skip-preview"]);
    process.stderr.write(`[e2e] first up: ${((Date.now() - t0) / 1000).toFixed(0)}s\n`);
    first = await fleetContainers(FLEET);
    expect([...first.keys()].sort()).toEqual([`${FLEET}-openclaw`, `${FLEET}-picoclaw`]);
    for (const [name, c] of first) expect(c.health, name).toBe("healthy");
    firstOutputs = await outputs(ws);
    for (const name of ["openclaw", "picoclaw"]) {
      expect(firstOutputs.runtimes[name].imageRef).toMatch(new RegExp(`^127\\.0\\.0\\.1:${REGISTRY.port}/${FLEET}/${name}:[^@]+@sha256:[0-9a-f]{64}$`));
    }
    // Reachable where the outputs say, answering its health path.
    const health = await fetch(firstOutputs.runtimes.picoclaw.healthUrl, { signal: AbortSignal.timeout(5000) });
    expect(await health.text()).toContain('"status":"ok"');
  }, 60 * MINUTES);

  it("a second preview has nothing to do: no phantom diff", async () => {
    const r = await pulumi(ws, ["preview", "--expect-no-changes", "--diff"]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(await plannedChanges(ws)).toEqual([]);
  }, 10 * MINUTES);

  it("runs the policy pack inside the engine with no violation", async () => {
    const r = await pulumi(ws, ["preview", "--policy-pack", path.join(ws.project, "policy")]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/Policies:[\s\S]*clawlab/);
    expect(r.out + r.err).not.toMatch(/violation|mandatory\]|advisory\]/i);
  }, 10 * MINUTES);

  it("keeps every secret out of the state in plain text", async () => {
    const tokens = (await outputs(ws, true)).tokens as Record<string, Record<string, string>>;
    const needles = [API_KEY, REGISTRY.password, ...Object.values(tokens).flatMap((t) => Object.values(t))];
    expect(needles.length).toBeGreaterThanOrEqual(3);
    const plain = (await pulumiOk(ws, ["stack", "export"])).out;
    const shown = (await pulumiOk(ws, ["stack", "export", "--show-secrets"])).out;
    for (const needle of needles) {
      expect(shown, "the value reached the state (else this check proves nothing)").toContain(needle);
      expect(plain.includes(needle), `a secret of ${needle.length} characters in plain text`).toBe(false);
    }
  }, 5 * MINUTES);

  it("changing one runtime's model replaces exactly its container, rebuilds no image, keeps its volume", async () => {
    const picoclaw = `${FLEET}-picoclaw`;
    const w = await exec(picoclaw, ["sh", "-c", "echo kept > /var/lib/picoclaw/e2e-marker"]);
    expect(w.code, w.err).toBe(0);
    fs.writeFileSync(ws.canonical, canonical("claude-haiku-4-5"));

    const planned = (await plannedChanges(ws)).map((s) => ({ op: s.op, ...urnName(s.urn) }));
    expect(planned.every((s) => s.name === `${picoclaw}-container`), JSON.stringify(planned)).toBe(true);
    expect(planned.map((s) => s.op)).toContain("replace");

    await pulumiOk(ws, ["up", "--yes", "--skip-preview"]);
    const now = await fleetContainers(FLEET);
    expect(now.get(`${FLEET}-openclaw`)!.id).toBe(first.get(`${FLEET}-openclaw`)!.id);
    expect(now.get(picoclaw)!.id).not.toBe(first.get(picoclaw)!.id);
    expect(now.get(picoclaw)!.health).toBe("healthy");
    expect(now.get(picoclaw)!.volumes).toEqual(first.get(picoclaw)!.volumes);
    expect((await exec(picoclaw, ["cat", "/var/lib/picoclaw/e2e-marker"])).out).toBe("kept\n");
    const config = JSON.parse((await exec(picoclaw, ["cat", "/var/lib/picoclaw/config.json"])).out);
    expect(config.model_list[0].model).toBe("claude-haiku-4-5");
    const after = await outputs(ws);
    for (const name of ["openclaw", "picoclaw"]) expect(after.runtimes[name].imageRef).toBe(firstOutputs.runtimes[name].imageRef);
  }, 30 * MINUTES);

  it("pulumi destroy removes the containers and keeps the state volumes; a new up finds the old state", async () => {
    const volumes = await fleetVolumes(FLEET);
    expect(volumes).toEqual([`${FLEET}-openclaw-state`, `${FLEET}-picoclaw-state`]);
    await pulumiOk(ws, ["destroy", "--yes", "--skip-preview"]);
    expect((await fleetContainers(FLEET)).size).toBe(0);
    expect(await fleetVolumes(FLEET)).toEqual(volumes);

    await pulumiOk(ws, ["up", "--yes", "--skip-preview"]);
    const again = await fleetContainers(FLEET);
    for (const [name, c] of again) expect(c.health, name).toBe("healthy");
    expect((await exec(`${FLEET}-picoclaw`, ["cat", "/var/lib/picoclaw/e2e-marker"])).out).toBe("kept\n");
    // OpenClaw's own state (its SQLite database) came back from the volume too.
    const db = await exec(`${FLEET}-openclaw`, ["ls", "/var/lib/openclaw/state/openclaw.sqlite"]);
    expect(db.code, db.err).toBe(0);
  }, 30 * MINUTES);

  it("left the checkout's own stack file as it was (the engine wrote only to the workspace's copy)", () => {
    expect(fs.readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8")).toBe(DEV_STACK_FILE);
  });
});
