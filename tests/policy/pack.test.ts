/**
 * The pack as `pulumi preview --policy-pack policy/` runs it: Pulumi's Node.js host resolves
 * `@pulumi/pulumi/cmd/run-policy-pack` from policy/ (so from the root's node_modules) and
 * starts it in policy/, where ts-node compiles the TypeScript and @pulumi/policy serves the
 * analyzer over gRPC. The test plays the engine: it sends resources in the wire form,
 * remediation first and then analysis, as the engine does per resource, and checks that the
 * real analyzer says what tests/policy/harness.ts predicts.
 */
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policies } from "../../policy/policies";
import { check, secret, UNKNOWN, type WireResource } from "./harness";

const POLICY_DIR = path.join(__dirname, "../../policy");
const LEVELS = { [analyzer.EnforcementLevel.ADVISORY]: "advisory", [analyzer.EnforcementLevel.MANDATORY]: "mandatory" } as Record<number, string>;

/** One finding: policy, level, message (its "can't run during preview" prefix normalized). */
type Finding = [policy: string, level: string, message: string];
const normalize = (message: string) => message.replace(/^can't run .*? during preview: /, "can't run during preview: ");

let pack: ChildProcess;
let client: AnalyzerClient;

/** One analyzer call, e.g. `rpc<Res>((done) => client.analyze(request, done))`; resolves with its response. */
function rpc<Res>(call: (done: (error: grpc.ServiceError | null, response: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => call((error, response) => (error ? reject(error) : resolve(response))));
}

/** What the running pack says about a resource: remediate, then analyze, as the engine does. */
async function analyze(resource: WireResource): Promise<Finding[]> {
  const request = new analyzer.AnalyzeRequest()
    .setType(resource.type)
    .setName(resource.name)
    .setUrn(`urn:pulumi:dev::clawlab::${resource.type}::${resource.name}`)
    .setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(resource.inputs))))
    .setOptions(new analyzer.AnalyzerResourceOptions());
  const remediation = await rpc<analyzer.RemediateResponse>((done) => client.remediate(request, done));
  expect(remediation.getRemediationsList().filter((r) => r.hasProperties())).toEqual([]);
  const response = await rpc<analyzer.AnalyzeResponse>((done) => client.analyze(request, done));
  return response
    .getDiagnosticsList()
    .map((d): Finding => [d.getPolicyname(), LEVELS[d.getEnforcementlevel()]!, normalize(d.getMessage().split("\n").slice(1).join("\n") || d.getMessage())])
    .sort();
}

/** What tests/policy/harness.ts predicts for the same resource. */
async function predict(resource: WireResource, levels: Record<string, "mandatory"> = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const policy of policies) {
    const outcome = await check(policy, resource, { level: levels[policy.name] });
    findings.push(...outcome.mandatory.map((m): Finding => [policy.name, "mandatory", m]));
    findings.push(...outcome.advisory.map((m): Finding => [policy.name, "advisory", normalize(m)]));
  }
  return findings.sort();
}

const container = (name: string, changes: Record<string, unknown>): WireResource => ({
  type: "docker:index/container:Container",
  name,
  inputs: {
    image: `sha256:${"cd".repeat(32)}`,
    user: "10001:10001",
    restart: "unless-stopped",
    healthcheck: { tests: ["CMD", "probe"] },
    capabilities: { drops: ["ALL"] },
    securityOpts: ["no-new-privileges:true"],
    ...changes,
  },
});

const CASES: WireResource[] = [
  container("compliant", { envs: secret(["OPENAI_API_KEY=sk-live-0123456789abcdefghij"]) }),
  container("plain-secret", { envs: ["LOG_LEVEL=info", "OPENAI_API_KEY=sk-live-0123456789abcdefghij", secret("GITHUB_TOKEN=ghp_x")] }),
  container("preview", { image: UNKNOWN, envs: [UNKNOWN, "API_KEY=plain"] }),
  container("runtime-preview", { image: UNKNOWN, envs: secret(UNKNOWN) }),
  container("everything-wrong", {
    image: "nginx:latest",
    user: "root",
    restart: "no",
    healthcheck: { tests: ["NONE"] },
    capabilities: undefined,
    securityOpts: undefined,
    privileged: true,
    mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" }],
  }),
  { type: "docker:index/remoteImage:RemoteImage", name: "pull", inputs: { name: "registry:2" } },
];

describe("the policy pack under @pulumi/pulumi's policy-pack runner", () => {
  beforeAll(async () => {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [POLICY_DIR] });
    // Arguments as the Node.js host passes them: the engine's address (unused here), the pack's directory.
    pack = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    pack.stderr!.on("data", (chunk) => (stderr += chunk));
    // The analyzer prints its port on its first line once it serves.
    const port = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      pack.stdout!.on("data", (chunk) => {
        stdout += chunk;
        const line = /^(\d+)\n/.exec(stdout);
        if (line) resolve(line[1]!);
      });
      pack.on("exit", (code) => reject(new Error(`policy pack exited (${code}) before serving:\n${stdout}${stderr}`)));
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }, 120_000);

  afterAll(() => {
    client?.close();
    pack?.kill();
  });

  it("loads as the pack named clawlab, with every policy at its level", async () => {
    const info = await rpc<analyzer.AnalyzerInfo>((done) => client.getAnalyzerInfo(new Empty(), done));
    expect(info.getName()).toBe("clawlab");
    expect(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()])).toEqual(
      policies.map((p) => [p.name, p.enforcementLevel === "remediate" ? analyzer.EnforcementLevel.REMEDIATE : analyzer.EnforcementLevel.MANDATORY]),
    );
  });

  it.each(CASES.map((c) => [c.name, c]))("says what the harness predicts: %s", async (_, resource) => {
    expect(await analyze(resource)).toEqual(await predict(resource));
  });

  it("sees secrets as secret only in the remediation pass: the real analyzer confirms it", async () => {
    expect(await analyze(CASES[0]!)).toEqual([]);
    expect((await analyze(CASES[1]!)).map(([policy, level, message]) => [policy, level, message.split(":")[0]])).toEqual([
      ["no-plaintext-secret-env", "mandatory", "envs[1] OPENAI_API_KEY"],
    ]);
  });

  // Last: the configuration stays with the running pack.
  it("fails closed when the secret check is configured to another level, as the harness predicts", async () => {
    const config = new analyzer.PolicyConfig().setEnforcementlevel(analyzer.EnforcementLevel.MANDATORY).setProperties(new Struct());
    const request = new analyzer.ConfigureAnalyzerRequest();
    request.getPolicyconfigMap().set("no-plaintext-secret-env", config);
    await rpc<Empty>((done) => client.configure(request, done));
    const findings = await analyze(CASES[0]!);
    expect(findings).toEqual(await predict(CASES[0]!, { "no-plaintext-secret-env": "mandatory" }));
    expect(findings).toEqual([["no-plaintext-secret-env", "mandatory", expect.stringMatching(/cannot tell whether it is a Pulumi secret/)]]);
  });
});
