/**
 * The bridge image recipe: its rules (pinned base, numeric non-root user,
 * tini, HEALTHCHECK on /health) and its build step, run here exactly as the
 * Dockerfile runs it, producing a bundle that then relays a real message.
 * (Building the image itself needs the base image from a registry.)
 */
import { type ChildProcess, execSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bridgeUser } from "../../firmware/bridge/broker-config";
import { Client, passwordsFor, startBroker, topics, until } from "./harness";
import type { TestBroker } from "./services";
import { MimiClawSimulator } from "./simulator";

const ROOT = path.resolve(__dirname, "../..");
const DOCKERFILE = fs.readFileSync(path.join(ROOT, "firmware/bridge/Dockerfile"), "utf8");
/** Dockerfile instructions with line continuations joined. */
const instructions = DOCKERFILE.replace(/\\\n/g, " ")
  .split("\n")
  .filter((l) => l.trim() && !l.trim().startsWith("#"));

describe("firmware/bridge/Dockerfile", () => {
  it("pins the base image by digest in one ARG and uses it for every stage", () => {
    expect(instructions.find((l) => l.startsWith("ARG BASE_IMAGE="))).toMatch(/^ARG BASE_IMAGE=node:24-slim@sha256:[0-9a-f]{64}$/);
    const froms = instructions.filter((l) => l.startsWith("FROM "));
    expect(froms).toHaveLength(2);
    expect(froms.every((l) => l.startsWith("FROM ${BASE_IMAGE}"))).toBe(true);
  });

  it("runs as a numeric non-root user under tini, with a HEALTHCHECK on /health", () => {
    const last = instructions.slice(instructions.lastIndexOf(instructions.filter((l) => l.startsWith("FROM ")).at(-1)!));
    expect(last.find((l) => l.startsWith("USER "))).toBe("USER 10001:10001");
    expect(last.find((l) => l.startsWith("ENTRYPOINT "))).toBe('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(last.find((l) => l.startsWith("HEALTHCHECK "))).toMatch(/\/health/);
    expect(last.findIndex((l) => l.startsWith("USER "))).toBeGreaterThan(last.findIndex((l) => l.includes("apt-get install")));
  });
});

describe("the Dockerfile's bundle", () => {
  let broker: TestBroker;
  let sim: MimiClawSimulator;
  let out: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    broker = await startBroker(["img"]);
    sim = new MimiClawSimulator({ workingStatus: false });
    await sim.start();
    out = fs.mkdtempSync(path.join(os.tmpdir(), "bridge-bundle-"));
    const esbuild = instructions.find((l) => l.includes("node_modules/.bin/esbuild"))!;
    const cmd = esbuild.replace(/^RUN set -eux;\s*/, "").replace("--outfile=/out/bridge.js", `--outfile=${out}/bridge.js`);
    execSync(cmd, { cwd: ROOT, stdio: "pipe" });
  }, 120_000);
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await sim?.close();
    await broker?.close();
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it("is one file that runs with plain node and relays a message", async () => {
    expect(fs.readdirSync(out).sort()).toEqual(["bridge.js", "bridge.js.LEGAL.txt"]);
    const pw = path.join(out, "pw");
    fs.writeFileSync(pw, passwordsFor("img").bridgePassword, { mode: 0o600 });
    // No node_modules next to it, as in the image.
    child = spawn(process.execPath, [path.join(out, "bridge.js")], {
      cwd: out,
      env: {
        PATH: process.env.PATH!,
        BRIDGE_DEVICE_ID: "img",
        BRIDGE_DEVICE_URL: sim.wsUrl,
        BRIDGE_MQTT_URL: broker.url,
        BRIDGE_MQTT_USERNAME: bridgeUser("img"),
        BRIDGE_MQTT_PASSWORD_FILE: pw,
        BRIDGE_HTTP_HOST: "127.0.0.1",
        BRIDGE_HTTP_PORT: "0",
        BRIDGE_REPLIES_PER_MESSAGE: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    await until(() => /health on http:\/\/127\.0\.0\.1:\d+\/health/.test(log), 10_000, "the bridge to listen");
    const port = Number(/127\.0\.0\.1:(\d+)\/health/.exec(log)![1]);
    await until(() => log.includes("device connected") && log.includes("broker connected"), 10_000, "connections");
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const c = await new Client(broker, "img").ready();
    await c.subscribe(topics("img").outbox);
    await c.publish(topics("img").inbox, { content: "from the bundle", chat_id: "b" });
    await until(() => c.on(topics("img").outbox).length === 1, 5000, "answer");
    expect(c.on(topics("img").outbox)[0]!.json).toEqual({ content: "echo: from the bundle", chat_id: "b" });
    await c.close();
  }, 30_000);
});
