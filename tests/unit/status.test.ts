/**
 * `clawlab status` without a Docker engine: outputs parsing, judging and rendering in
 * process with fake probes; the real HTTP probe against local servers (one that never
 * answers, one that hangs up, a closed port, a name that does not resolve); and the real
 * CLI as a subprocess, with stand-in `pulumi` and `docker` commands on PATH.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../components/config/errors";
import {
  type ContainerProbeResult,
  type HttpProbeResult,
  type Probes,
  STATUS_SCHEMA,
  type StatusReport,
  UNHEALTHY_EXIT,
  checkFleet,
  parseStackOutputs,
  parseStackOutputsJson,
  renderStatusJson,
  renderStatusTable,
  statusExitCode,
  statusTargets,
} from "../../cli/status";
import { parseTimeoutMs, statusOptions } from "../../cli/status-command";
import { httpProbe } from "../../cli/status-probe";

const ROOT = path.join(__dirname, "../..");
const CLI = path.join(ROOT, "cli", "clawlab.js");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-status-"));
/** A PATH with node on it and nothing else: no pulumi, no docker unless a test adds one. */
const BIN_NODE = fs.mkdtempSync(path.join(TMP, "node-"));
fs.symlinkSync(process.execPath, path.join(BIN_NODE, "node"));

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
/** Secret values as `pulumi stack output --json --show-secrets` would print them. */
const SECRET = "sekret-gatewaytoken-7f3a9c";

/** Outputs shaped like index.ts's, health URLs pointing where the test says. */
function outputs(urls: { zeroclaw?: string; nullclaw?: string; desk?: string } = {}): Record<string, any> {
  const runtime = (name: string, port: number, healthUrl?: string) => ({
    imageRef: `ghcr.io/codervisor/${name}:v1@${DIGEST}`,
    containerName: `lab-${name}`,
    url: `http://localhost:${port}`,
    ...(healthUrl ? { healthUrl } : {}),
  });
  return {
    runtimes: {
      nullclaw: runtime("nullclaw", 3000, urls.nullclaw ?? "http://localhost:3000/health"),
      zeroclaw: runtime("zeroclaw", 42617, urls.zeroclaw ?? "http://localhost:42617/health"),
      nanoclaw: runtime("nanoclaw", 1),
    },
    devices: {
      desk: {
        bridgeContainerName: "lab-desk-bridge",
        brokerContainerName: "lab-desk-broker",
        healthUrl: urls.desk ?? "http://localhost:18080/health",
        topics: { inbox: "clawlab/devices/desk/inbox", outbox: "clawlab/devices/desk/outbox" },
      },
    },
    tokens: { zeroclaw: { gatewayToken: SECRET } },
    registry: "ghcr.io/codervisor",
  };
}

const ok = (body: string, status = 200, latencyMs = 7): HttpProbeResult => ({ kind: "response", status, body, latencyMs });
const healthyContainer: ContainerProbeResult = { kind: "found", status: "running", exitCode: 0, health: "healthy" };

/** Fake probes answering by URL / container name. */
function fakeProbes(http: Record<string, HttpProbeResult>, containers: Record<string, ContainerProbeResult> = {}): Probes & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    http: async (url) => (calls.push(url), http[url] ?? { kind: "error", reason: "connection refused", latencyMs: 1 }),
    container: async (name) => (calls.push(name), containers[name] ?? { kind: "unavailable", reason: `no container ${name} on this Docker engine` }),
  };
}

const allHealthy = () =>
  fakeProbes(
    {
      "http://localhost:42617/health": ok('{"status":"ok","paired":true}'),
      "http://localhost:3000/health": ok('{"status":"ok"}'),
      "http://localhost:18080/health": ok('{"status":"ok"}'),
    },
    { "lab-nanoclaw": healthyContainer },
  );

const byName = (report: StatusReport, name: string) => report.entries.find((e) => e.name === name)!;

/** The ConfigError a call throws. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("no ConfigError thrown");
}

describe("the stack outputs", () => {
  it("reads what `pulumi stack output --json` prints and drops everything but runtimes, devices, registry", () => {
    const parsed = parseStackOutputs({ ...outputs(), tokens: "[secret]", extra: 1 }, "pulumi");
    expect(Object.keys(parsed).sort()).toEqual(["devices", "registry", "runtimes"]);
    expect(parsed.runtimes.nanoclaw!.healthUrl).toBeUndefined();
    expect(parsed.devices.desk!.bridgeContainerName).toBe("lab-desk-bridge");
  });

  it("takes a stack without devices", () => {
    const { devices: _, ...rest } = outputs();
    expect(parseStackOutputs(rest, "f").devices).toEqual({});
  });

  it("names every bad field at once, by path, without quoting its value", () => {
    const doc = outputs();
    doc.runtimes.zeroclaw.imageRef = SECRET.length; // a number
    delete doc.runtimes.nullclaw.containerName;
    doc.runtimes.nullclaw.healthUrl = `ftp://${SECRET}/health`;
    doc.devices.desk.topics = [SECRET];
    const error = configError(() => parseStackOutputs(doc, "out.json"));
    expect(error.issues).toEqual([
      { path: "runtimes.nullclaw.containerName", message: "is required" },
      { path: "runtimes.nullclaw.healthUrl", message: "must be an http(s) URL" },
      { path: "runtimes.zeroclaw.imageRef", message: "must be an image reference" },
      { path: "devices.desk.topics", message: "must be an object of topic names" },
    ]);
    expect(error.message).toMatch(/^out\.json: 4 problems\n/);
    expect(error.message).not.toContain(SECRET);
  });

  it("says what is missing at the top level, and refuses text that is not JSON without echoing it", () => {
    expect(configError(() => parseStackOutputs({ registry: "x" }, "f")).issues).toEqual([{ path: "runtimes", message: "is required" }]);
    expect(configError(() => parseStackOutputs([], "f")).issues[0]!.message).toMatch(/must be a JSON object/);
    const notJson = configError(() => parseStackOutputsJson(`{"tokens": ${SECRET}}`, "f"));
    expect(notJson.issues).toEqual([{ path: "", message: "is not valid JSON (expected what `pulumi stack output --json` prints)" }]);
    expect(notJson.message).not.toContain(SECRET);
  });
});

describe("what is probed, and how it is judged", () => {
  it("probes runtimes in fleet order, then devices; HTTP where there is a URL, Docker health where not", () => {
    const doc = outputs();
    doc.devices.attic = { ...doc.devices.desk, bridgeContainerName: "lab-attic-bridge", healthUrl: "http://lab-attic-bridge:8080/health" };
    const targets = statusTargets(parseStackOutputs(doc, "f"));
    expect(targets.map((t) => `${t.kind} ${t.name} ${t.probe.kind}`)).toEqual([
      "runtime zeroclaw http",
      "runtime nanoclaw docker",
      "runtime nullclaw http",
      "device attic docker",
      "device desk http",
    ]);
    // The body fragment comes from the runtime's declaration.
    expect(targets[0]!.probe).toEqual({ kind: "http", url: "http://localhost:42617/health", bodyContains: '"status":"ok"' });
    expect(targets[3]!.probe).toEqual({ kind: "docker", why: "bridge port not published" });
    expect(targets[4]!.probe).toEqual({ kind: "http", url: "http://localhost:18080/health" });
  });

  it("is healthy when every probe passes", async () => {
    const probes = allHealthy();
    const report = await checkFleet(parseStackOutputs(outputs(), "f"), probes, 3000);
    expect(report.healthy).toBe(true);
    expect(report.entries.map((e) => e.state)).toEqual(["healthy", "healthy", "healthy", "healthy"]);
    expect(byName(report, "zeroclaw")).toMatchObject({ reason: null, httpStatus: 200, latencyMs: 7, imageDigest: DIGEST, probe: "http" });
    expect(byName(report, "nanoclaw")).toMatchObject({ reason: "Docker health check (no HTTP health endpoint)", latencyMs: null, probe: "docker" });
    expect(statusExitCode(report)).toBe(0);
  });

  it("starts every probe before any answers (concurrent)", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started: string[] = [];
    const probes: Probes = {
      http: async (url) => (started.push(url), await gate, ok('{"status":"ok"}')),
      container: async (name) => (started.push(name), await gate, healthyContainer),
    };
    const pending = checkFleet(parseStackOutputs(outputs(), "f"), probes, 3000);
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toHaveLength(4);
    release();
    expect((await pending).healthy).toBe(true);
  });

  it("gives a specific reason for each failure", async () => {
    const probes = fakeProbes(
      {
        "http://localhost:42617/health": ok("<html>the UI</html>"),
        "http://localhost:3000/health": { kind: "error", reason: "timeout after 3000 ms", latencyMs: 3001 },
        "http://localhost:18080/health": ok('{"status":"unavailable","reasons":["broker: connection refused","device: not connected"]}', 503),
      },
      { "lab-nanoclaw": { kind: "found", status: "running", exitCode: 0, health: "unhealthy", lastCheck: "unhealthy: socket ncl.sock refused\n" } },
    );
    const report = await checkFleet(parseStackOutputs(outputs(), "f"), probes, 3000);
    expect(report.healthy).toBe(false);
    expect(Object.fromEntries(report.entries.map((e) => [e.name, [e.state, e.reason]]))).toEqual({
      zeroclaw: ["unhealthy", 'body lacks "status":"ok"'],
      nullclaw: ["unhealthy", "timeout after 3000 ms"],
      desk: ["unhealthy", "HTTP 503 (broker: connection refused; device: not connected)"],
      nanoclaw: ["unhealthy", "Docker health check failing: unhealthy: socket ncl.sock refused"],
    });
    expect(statusExitCode(report)).toBe(UNHEALTHY_EXIT);
  });

  it("judges a container by its Docker state; what it cannot see is unknown, and unknown is not healthy", async () => {
    const judge = async (result: ContainerProbeResult) => {
      const probes = allHealthy();
      const report = await checkFleet(parseStackOutputs(outputs(), "f"), { ...probes, container: async () => result }, 3000);
      const e = byName(report, "nanoclaw");
      return [e.state, e.reason, report.healthy];
    };
    expect(await judge({ kind: "found", status: "exited", exitCode: 137 })).toEqual(["unhealthy", "container exited (exit code 137)", false]);
    expect(await judge({ kind: "found", status: "restarting", exitCode: 1 })).toEqual(["unhealthy", "container restarting", false]);
    expect(await judge({ kind: "found", status: "running", exitCode: 0, health: "starting" })).toEqual(["unhealthy", "Docker health check still starting", false]);
    expect(await judge({ kind: "found", status: "running", exitCode: 0 })).toEqual([
      "unknown",
      "not probed: no HTTP health endpoint, and the container has no Docker health check",
      false,
    ]);
    expect(await judge({ kind: "unavailable", reason: "no docker CLI on PATH" })).toEqual([
      "unknown",
      "not probed: no HTTP health endpoint (no docker CLI on PATH)",
      false,
    ]);
  });
});

describe("rendering", () => {
  const failing = () =>
    checkFleet(
      parseStackOutputs(outputs(), "f"),
      fakeProbes({ "http://localhost:42617/health": ok('{"status":"ok"}', 200, 12), "http://localhost:3000/health": ok("", 503, 4) }),
      3000,
      new Date("2026-01-02T03:04:05.000Z"),
    );

  it("prints an aligned table, one row per entry, short digests, and a summary", async () => {
    const text = renderStatusTable(await failing(), { colour: false });
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^NAME +KIND +HOST +IMAGE +STATE +LATENCY +REASON$/);
    const rows = lines.slice(1, 5);
    expect(rows.map((l) => l.split(/ +/)[0])).toEqual(["zeroclaw", "nanoclaw", "nullclaw", "desk"]);
    for (const column of ["HOST", "IMAGE", "STATE", "LATENCY"]) {
      for (const row of rows) expect(row[lines[0]!.indexOf(column) - 1], `${column} in ${row}`).toBe(" ");
    }
    expect(rows[0]).toMatch(/^zeroclaw +runtime +localhost:42617 +sha256:0123456789ab +healthy +12 ms$/);
    expect(rows[1]).toMatch(/^nanoclaw +runtime +localhost:1 +sha256:0123456789ab +unknown +- +not probed: no HTTP health endpoint \(no container lab-nanoclaw on this Docker engine\)$/);
    expect(rows[2]).toMatch(/ unhealthy +4 ms +HTTP 503$/);
    expect(rows[3]).toMatch(/^desk +device +localhost:18080 +- +unhealthy +1 ms +connection refused$/);
    expect(lines.slice(5)).toEqual(["", "1 of 4 healthy; unhealthy: nullclaw, desk; unknown: nanoclaw", ""]);
    expect(text).not.toContain("\u001b");
  });

  it("colours the state only when asked, and keeps the columns aligned", async () => {
    const report = await failing();
    const plain = renderStatusTable(report, { colour: false });
    const painted = renderStatusTable(report, { colour: true });
    expect(painted).toContain("\u001b[32mhealthy\u001b[0m");
    expect(painted).toContain("\u001b[31munhealthy\u001b[0m");
    expect(painted).toContain("\u001b[33munknown\u001b[0m");
    expect(painted.replace(/\u001b\[\d+m/g, "")).toBe(plain);
  });

  it("says so when the stack has nothing to probe (and that is healthy)", async () => {
    const report = await checkFleet(parseStackOutputs({ runtimes: {}, devices: {} }, "f"), fakeProbes({}), 3000);
    expect(renderStatusTable(report, { colour: false })).toBe("No runtime or device in the stack outputs.\n");
    expect(statusExitCode(report)).toBe(0);
  });

  it("--json: a stable document with every entry and the overall verdict", async () => {
    const doc = JSON.parse(renderStatusJson(await failing()));
    expect(Object.keys(doc)).toEqual(["schema", "healthy", "checkedAt", "timeoutMs", "counts", "entries"]);
    expect(doc).toMatchObject({ schema: STATUS_SCHEMA, healthy: false, checkedAt: "2026-01-02T03:04:05.000Z", timeoutMs: 3000 });
    expect(doc.counts).toEqual({ healthy: 1, unhealthy: 2, unknown: 1 });
    expect(doc.entries).toHaveLength(4);
    expect(doc.entries[0]).toEqual({
      kind: "runtime",
      name: "zeroclaw",
      state: "healthy",
      reason: null,
      host: "localhost:42617",
      healthUrl: "http://localhost:42617/health",
      containerName: "lab-zeroclaw",
      imageRef: `ghcr.io/codervisor/zeroclaw:v1@${DIGEST}`,
      imageDigest: DIGEST,
      probe: "http",
      httpStatus: 200,
      latencyMs: 12,
    });
    for (const e of doc.entries) expect(Object.keys(e)).toEqual(Object.keys(doc.entries[0]));
    expect(doc.entries[1]).toMatchObject({ name: "nanoclaw", probe: "docker", healthUrl: null, httpStatus: null, latencyMs: null });
  });

  it("never prints a credential in a health URL", async () => {
    const doc = outputs({ zeroclaw: `http://admin:${SECRET}@localhost:42617/health` });
    const report = await checkFleet(parseStackOutputs(doc, "f"), fakeProbes({}), 3000);
    expect(byName(report, "zeroclaw").healthUrl).toBe("http://localhost:42617/health");
    expect(renderStatusJson(report) + renderStatusTable(report, { colour: false })).not.toContain(SECRET);
  });
});

describe("flags", () => {
  it("takes a whole number of ms for --timeout, and refuses --outputs with --stack", () => {
    expect(parseTimeoutMs("250")).toBe(250);
    for (const bad of ["0", "-5", "1.5", "3s", "", "600001"]) expect(parseTimeoutMs(bad), bad).toBeUndefined();
    expect(statusOptions({}, false)).toEqual({ source: { stack: undefined }, json: false, timeoutMs: 3000, colour: false });
    expect(statusOptions({ outputs: "o.json", json: true, timeout: "50" }, true)).toEqual({ source: { file: "o.json" }, json: true, timeoutMs: 50, colour: true });
    expect(statusOptions({ outputs: "o.json", stack: "dev" }, false)).toBe("give --outputs FILE or --stack NAME, not both");
    expect(statusOptions({ timeout: "3s" }, false)).toBe('--timeout must be a whole number of ms, 1-600000 (got "3s")');
    expect(statusOptions({ config: "clawlab.toml" }, false)).toMatch(/^status reads the stack's outputs, not the config/);
  });
});

// ---------------------------------------------------------------- real sockets

/** A local HTTP server; `handler` undefined: accepts and never answers. */
async function serve(handler?: http.RequestListener): Promise<{ url: (p: string) => string; close: () => Promise<void> }> {
  const server = http.createServer(handler ?? (() => {}));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** A port nothing listens on: one the kernel just gave out and took back. */
async function closedPort(): Promise<number> {
  const s = await serve();
  const port = Number(new URL(s.url("/")).port);
  await s.close();
  return port;
}

describe("the HTTP probe, on real sockets", () => {
  const servers: { close: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });
  const server = async (handler?: http.RequestListener) => {
    const s = await serve(handler);
    servers.push(s);
    return s;
  };

  it("reads status and body, and measures the latency", async () => {
    const s = await server((_, res) => res.writeHead(503, { "content-type": "application/json" }).end('{"status":"down"}'));
    const r = await httpProbe(s.url("/health"), 3000);
    expect(r).toMatchObject({ kind: "response", status: 503, body: '{"status":"down"}' });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    expect(r.latencyMs).toBeLessThan(3000);
  });

  it("gives up after the timeout on a server that never answers", async () => {
    const s = await server();
    const t0 = Date.now();
    const r = await httpProbe(s.url("/health"), 300);
    expect(r).toMatchObject({ kind: "error", reason: "timeout after 300 ms" });
    expect(r.latencyMs).toBeGreaterThanOrEqual(299);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("probes concurrently: three silent servers cost one timeout, not three", async () => {
    const silent = await Promise.all([server(), server(), server()]);
    const doc = outputs({ zeroclaw: silent[0]!.url("/health"), nullclaw: silent[1]!.url("/health"), desk: silent[2]!.url("/health") });
    const { realProbes } = await import("../../cli/status-probe");
    const t0 = Date.now();
    const report = await checkFleet(parseStackOutputs(doc, "f"), { ...realProbes, container: async () => healthyContainer }, 400);
    // One after the other would take at least 3 × 400 ms.
    expect(Date.now() - t0).toBeLessThan(1200);
    expect(report.entries.filter((e) => e.reason === "timeout after 400 ms").map((e) => e.name)).toEqual(["zeroclaw", "nullclaw", "desk"]);
  });

  it("probes a port fetch() would refuse (the Fetch standard's \"bad ports\", e.g. 6666)", async () => {
    const server = http.createServer((_, res) => res.end('{"status":"ok"}'));
    await new Promise<void>((r) => server.listen(6666, "127.0.0.1", r));
    try {
      expect(await httpProbe("http://127.0.0.1:6666/health", 3000)).toMatchObject({ kind: "response", status: 200 });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("names refused connections, hang-ups and unknown hosts", async () => {
    expect(await httpProbe(`http://127.0.0.1:${await closedPort()}/health`, 3000)).toMatchObject({ kind: "error", reason: "connection refused" });
    const hangUp = await server((req) => req.socket.destroy());
    expect(await httpProbe(hangUp.url("/health"), 3000)).toMatchObject({ kind: "error", reason: "connection closed without a response" });
    // A generous timeout: a slow resolver must still answer (".invalid" never resolves, RFC 6761).
    const dns = await httpProbe("http://no-such-host.invalid/health", 15_000);
    // ENOTFOUND with a resolver, EAI_AGAIN without one: a DNS reason naming the host either way.
    expect(dns.kind === "error" && dns.reason).toMatch(/^DNS: .*no-such-host\.invalid/);
  });
});

// ---------------------------------------------------------------- the real CLI

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node cli/clawlab.js ARGS` with exactly PATH=`path` (node only by default). */
function clawlab(args: readonly string[], pathDirs: readonly string[] = []): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: TMP, env: { PATH: [...pathDirs, BIN_NODE].join(":"), HOME: TMP } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b) => (stdout += b));
  child.stderr.on("data", (b) => (stderr += b));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

let files = 0;
function writeOutputs(doc: unknown): string {
  const file = path.join(TMP, `outputs-${++files}.json`);
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** A stand-in command in a fresh directory: a node script. */
function fakeCommand(name: string, script: string): string {
  const dir = fs.mkdtempSync(path.join(TMP, `${name}-`));
  fs.writeFileSync(path.join(dir, name), `#!/usr/bin/env node\n${script}`, { mode: 0o755 });
  return dir;
}

/** A stand-in `docker`: `inspect ... -- NAME` prints State for the names given, "No such container" otherwise. */
function fakeDocker(states: Record<string, object>): string {
  return fakeCommand(
    "docker",
    `const states = ${JSON.stringify(states)};
const name = process.argv.at(-1);
if (!(name in states)) { process.stderr.write("Error: No such container: " + name + "\\n"); process.exit(1); }
process.stdout.write(JSON.stringify(states[name]) + "\\n");`,
  );
}

describe("clawlab status (the CLI)", () => {
  let healthy: Awaited<ReturnType<typeof serve>>;
  let failing: Awaited<ReturnType<typeof serve>>;
  let docker: string;
  beforeAll(async () => {
    healthy = await serve((_, res) => res.writeHead(200).end('{"status":"ok"}'));
    failing = await serve((_, res) => res.writeHead(503).end('{"status":"unavailable","reasons":["device: not connected"]}'));
    docker = fakeDocker({ "lab-nanoclaw": { Status: "running", ExitCode: 0, Health: { Status: "healthy", Log: [{ Output: "ok" }] } } });
  });
  afterAll(async () => {
    await healthy.close();
    await failing.close();
  });
  const fleet = (desk = healthy.url("/health")) =>
    outputs({ zeroclaw: healthy.url("/health"), nullclaw: healthy.url("/health"), desk });

  it("exits 0 when everything is healthy, with a row for each", async () => {
    const run = await clawlab(["status", "--outputs", writeOutputs(fleet())], [docker]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    for (const name of ["zeroclaw", "nanoclaw", "nullclaw", "desk"]) expect(run.stdout).toMatch(new RegExp(`^${name} .* healthy `, "m"));
    expect(run.stdout).toContain("4 of 4 healthy");
  });

  it(`exits ${UNHEALTHY_EXIT} when one is unhealthy, naming the reason; --json says the same`, async () => {
    const file = writeOutputs(fleet(failing.url("/health")));
    const run = await clawlab(["status", "--outputs", file], [docker]);
    expect(run.status).toBe(UNHEALTHY_EXIT);
    expect(run.stdout).toMatch(/^desk +device .* unhealthy +\d+ ms +HTTP 503 \(device: not connected\)$/m);
    const json = await clawlab(["status", "--outputs", file, "--json"], [docker]);
    expect(json.status).toBe(UNHEALTHY_EXIT);
    const doc = JSON.parse(json.stdout);
    expect(doc.healthy).toBe(false);
    expect(doc.entries.map((e: any) => `${e.name}:${e.state}`)).toEqual(["zeroclaw:healthy", "nanoclaw:healthy", "nullclaw:healthy", "desk:unhealthy"]);
  });

  it("reports what it cannot check as unknown, and that is not healthy", async () => {
    const run = await clawlab(["status", "--outputs", writeOutputs(fleet())]); // no docker on PATH
    expect(run.status).toBe(UNHEALTHY_EXIT);
    expect(run.stdout).toMatch(/^nanoclaw .* unknown +- +not probed: no HTTP health endpoint \(no docker CLI on PATH\)$/m);
  });

  it("--timeout bounds each probe", async () => {
    const silent = await serve();
    const run = await clawlab(["status", "--outputs", writeOutputs(outputs({ zeroclaw: silent.url("/health"), nullclaw: healthy.url("/health"), desk: healthy.url("/health") })), "--timeout", "300"], [docker]);
    await silent.close();
    expect(run.status).toBe(UNHEALTHY_EXIT);
    expect(run.stdout).toMatch(/^zeroclaw .* unhealthy +\d+ ms +timeout after 300 ms$/m);
  });

  it("never prints a secret, whatever the outputs hold", async () => {
    const doc: Record<string, any> = { ...fleet(failing.url("/health")), tokens: { zeroclaw: { gatewayToken: SECRET }, microclaw: { webPassword: SECRET } } };
    doc.runtimes.zeroclaw.healthUrl = healthy.url("/health").replace("//", `//ops:${SECRET}@`);
    const file = writeOutputs(doc);
    for (const args of [[], ["--json"]]) {
      const run = await clawlab(["status", "--outputs", file, ...args], [docker]);
      expect(run.status).toBe(UNHEALTHY_EXIT);
      expect(run.stdout + run.stderr).not.toContain(SECRET);
    }
  });

  it("reads the outputs with `pulumi stack output --json [--stack NAME]`, never --show-secrets", async () => {
    const log = path.join(TMP, "pulumi-calls.log");
    const pulumi = fakeCommand(
      "pulumi",
      `require("node:fs").appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + "\\n");
process.stdout.write(${JSON.stringify(JSON.stringify({ ...fleet(), tokens: "[secret]" }, null, 4))} + "\\n");`,
    );
    expect((await clawlab(["status", "--stack", "dev"], [pulumi, docker])).status).toBe(0);
    expect((await clawlab(["status", "--json"], [pulumi, docker])).status).toBe(0);
    expect(fs.readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l))).toEqual([
      ["stack", "output", "--json", "--stack", "dev"],
      ["stack", "output", "--json"],
    ]);
  });

  it("exits 1 with a clear message when the outputs cannot be read", async () => {
    const missing = await clawlab(["status", "--outputs", path.join(TMP, "nope.json")]);
    expect([missing.status, missing.stdout]).toEqual([1, ""]);
    expect(missing.stderr).toBe(`${path.join(TMP, "nope.json")}: 1 problem\n  file not found\n`);

    const noCli = await clawlab(["status"]);
    expect(noCli.status).toBe(1);
    expect(noCli.stderr).toMatch(/^pulumi stack output --json: 1 problem\n  the pulumi CLI is not on PATH; .*--outputs FILE/);

    const failingCli = fakeCommand("pulumi", `process.stderr.write("error: no stack named 'prod' found\\n"); process.exit(255);`);
    const failed = await clawlab(["status", "--stack", "prod"], [failingCli]);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("pulumi stack output --json --stack prod: 1 problem\n  failed: error: no stack named 'prod' found");

    const bad = await clawlab(["status", "--outputs", writeOutputs({ runtimes: { zeroclaw: { imageRef: "x", containerName: "c", url: "http://h:1", healthUrl: 5 } } })]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("runtimes.zeroclaw.healthUrl: must be an http(s) URL");
  });

  it("exits 2 on a usage error", async () => {
    for (const args of [["--timeout", "3s"], ["--outputs", "a.json", "--stack", "dev"], ["--config", "c.toml"], ["extra"], ["--bogus"]]) {
      const run = await clawlab(["status", ...args]);
      expect(run.status, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(/^clawlab: .*\n\nUsage: clawlab/);
    }
  });
});
