/**
 * `clawlab status` against real containers: ZeroClaw, PicoClaw and NullClaw test images
 * run the fleet's way with their ports published on loopback, and NanoClaw (no HTTP
 * endpoint: judged by its Docker health check). An outputs file shaped like the stack's
 * points at them, and the real CLI (`node cli/clawlab.js status`) checks them, with
 * Debian's docker client on its PATH. Then some are broken in the ways an operator meets:
 * a stopped container, a 503, a 200 whose body lacks the marker, a container that exited.
 *
 * CLAWLAB_IMAGES=zeroclaw,picoclaw,nullclaw npx vitest run -c tests/images/vitest.config.ts tests/images/status.test.ts
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UNHEALTHY_EXIT } from "../../cli/status";
import type { RuntimeName } from "../../runtimes/types";
import { REPO, buildRuntimeImage, cleanup, createVolume, decl, dockerBin, dockerOk, healthTimeoutMs, run, startContainer, waitHealthy, type Container } from "./harness";

const PREFIX = "clawlab-status-it";
const HTTP_RUNTIMES = ["zeroclaw", "picoclaw", "nullclaw"] as const;
const SOCKET = "/var/run/docker.sock";
/** NanoClaw needs a Docker API and a OneCLI (tests/images/nanoclaw.test.ts does the same). */
const NANOCLAW = {
  env: { ONECLI_URL: "http://onecli.internal:10254" },
  flags: ["-v", `${SOCKET}:${SOCKET}`, "--group-add", String(fs.statSync(SOCKET).gid)],
};

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}-`));
/** node, and Debian's docker client as `docker`: all the CLI gets on its PATH. */
const BIN = fs.mkdtempSync(path.join(TMP, "bin-"));

interface Started {
  readonly container: Container;
  /** 127.0.0.1:<published port>, or undefined for NanoClaw. */
  readonly address?: string;
  readonly digest: string;
}
const started = new Map<RuntimeName, Started>();
let outputsFile = "";

/** Starts a runtime's test image the fleet's way, its port published on loopback. */
async function start(name: RuntimeName): Promise<Started> {
  const d = decl(name);
  const image = await buildRuntimeImage(name);
  const volume = await createVolume(`${PREFIX}-${name}`);
  const extra = name === "nanoclaw" ? NANOCLAW : { env: {}, flags: ["-p", `127.0.0.1::${d.port}`] };
  const container = await startContainer(d, image, { prefix: `${PREFIX}-${name}`, volume, ...extra });
  const address = name === "nanoclaw" ? undefined : (await dockerOk(["port", container.name, `${d.port}/tcp`])).out.trim().split("\n")[0];
  const digest = (await dockerOk(["image", "inspect", "--format", "{{.Id}}", image])).out.trim();
  return { container, address, digest };
}

/** The stack's outputs for what runs, as `pulumi stack output --json` prints them. */
function stackOutputs(): object {
  const runtimes = Object.fromEntries(
    [...started].map(([name, s]) => {
      const d = decl(name);
      // The fleet's own shape (components/claw-runtime.ts): localhost and the host port.
      const base = s.address ? `http://localhost:${s.address.split(":").at(-1)}` : `http://localhost:${d.port}`;
      return [
        name,
        {
          // A local test image has no registry digest: its image id stands in.
          imageRef: `clawlab-test/${name}:latest@${s.digest}`,
          containerName: s.container.name,
          url: base,
          ...(d.health.kind === "http" ? { healthUrl: `${base}${d.health.path}` } : {}),
        },
      ];
    }),
  );
  return { runtimes, devices: {}, tokens: "[secret]", registry: "clawlab-test" };
}

/** `node cli/clawlab.js status --outputs FILE ARGS`. */
async function status(...args: string[]) {
  return run(process.execPath, [path.join(REPO, "cli/clawlab.js"), "status", "--outputs", outputsFile, ...args], {
    env: { PATH: BIN, HOME: TMP },
    timeoutMs: 60_000,
  });
}

/** Tells a stand-in how to answer its health path (/__standin/degrade, /fail, /ok). */
async function standin(name: RuntimeName, mode: "degrade" | "fail" | "ok"): Promise<void> {
  const res = await fetch(`http://${started.get(name)!.address}/__standin/${mode}`, { signal: AbortSignal.timeout(5000) });
  expect(res.status).toBe(200);
}

/** The table row of an entry. */
const row = (table: string, name: string) => table.split("\n").find((l) => l.startsWith(`${name} `)) ?? "";

describe("clawlab status on a real engine", () => {
  beforeAll(async () => {
    fs.symlinkSync(process.execPath, path.join(BIN, "node"));
    fs.symlinkSync(dockerBin(), path.join(BIN, "docker"));
    for (const name of [...HTTP_RUNTIMES, "nanoclaw"] as const) started.set(name, await start(name));
    for (const s of started.values()) await waitHealthy(s.container.name, healthTimeoutMs(s.container.decl));
    outputsFile = path.join(TMP, "outputs.json");
    fs.writeFileSync(outputsFile, JSON.stringify(stackOutputs(), null, 2));
  }, 30 * 60_000);

  afterAll(async () => {
    await cleanup();
    fs.rmSync(TMP, { recursive: true, force: true });
  }, 120_000);

  it("exits 0 when all are healthy, listing each with its host, image digest and latency", async () => {
    const r = await status();
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    for (const name of HTTP_RUNTIMES) {
      const s = started.get(name)!;
      expect(row(r.out, name)).toMatch(new RegExp(`^${name} +runtime +localhost:${s.address!.split(":")[1]} +${s.digest.slice(0, 19)} +healthy +\\d+ ms$`));
    }
    expect(row(r.out, "nanoclaw")).toMatch(/^nanoclaw +runtime .* healthy +- +Docker health check \(no HTTP health endpoint\)$/);
    expect(r.out).toContain("4 of 4 healthy");

    const json = await status("--json");
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out);
    expect(doc.healthy).toBe(true);
    expect(doc.entries.map((e: any) => [e.name, e.state, e.probe])).toEqual([
      ["zeroclaw", "healthy", "http"],
      ["picoclaw", "healthy", "http"],
      ["nanoclaw", "healthy", "docker"],
      ["nullclaw", "healthy", "http"],
    ]);
  }, 60_000);

  it("names what is wrong with each unhealthy one and exits non-zero", async () => {
    await dockerOk(["stop", "-t", "10", started.get("zeroclaw")!.container.name]);
    await standin("picoclaw", "fail");
    await standin("nullclaw", "degrade");
    try {
      const r = await status();
      expect(r.code).toBe(UNHEALTHY_EXIT);
      expect(row(r.out, "zeroclaw")).toMatch(/ unhealthy +\d+ ms +connection refused$/);
      expect(row(r.out, "picoclaw")).toMatch(/ unhealthy +\d+ ms +HTTP 503$/);
      expect(row(r.out, "nullclaw")).toMatch(/ unhealthy +\d+ ms +body lacks "status":"ok"$/);
      expect(row(r.out, "nanoclaw")).toMatch(/ healthy +- +Docker health check/);
      expect(r.out).toContain("1 of 4 healthy; unhealthy: zeroclaw, picoclaw, nullclaw");

      const json = await status("--json");
      expect(json.code).toBe(UNHEALTHY_EXIT);
      const doc = JSON.parse(json.out);
      expect(doc.healthy).toBe(false);
      expect(doc.counts).toEqual({ healthy: 1, unhealthy: 3, unknown: 0 });
      expect(Object.fromEntries(doc.entries.map((e: any) => [e.name, [e.httpStatus, e.reason]]))).toEqual({
        zeroclaw: [null, "connection refused"],
        picoclaw: [503, "HTTP 503"],
        nullclaw: [200, 'body lacks "status":"ok"'],
        nanoclaw: [null, "Docker health check (no HTTP health endpoint)"],
      });
    } finally {
      await standin("picoclaw", "ok");
      await standin("nullclaw", "ok");
    }
  }, 60_000);

  it("judges NanoClaw by its container: exited is unhealthy, with its exit code", async () => {
    await dockerOk(["stop", "-t", "10", started.get("nanoclaw")!.container.name]);
    const r = await status();
    expect(r.code).toBe(UNHEALTHY_EXIT);
    expect(row(r.out, "nanoclaw")).toMatch(/ unhealthy +- +container exited \(exit code 0\)$/);
    expect(row(r.out, "picoclaw")).toMatch(/ healthy +\d+ ms$/);
  }, 60_000);
});
