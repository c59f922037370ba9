/**
 * The bridge against a real mosquitto (generated password file and ACL) and
 * the simulated device.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { backoffDelay } from "../../firmware/bridge/bridge";
import { bridgeUser } from "../../firmware/bridge/broker-config";
import { parseInbox } from "../../firmware/bridge/topics";
import { Client, type Rig, getHealth, passwordsFor, startBroker, startRig as startRigRaw, topics, until } from "./harness";
import type { TestBroker } from "./services";
import { MimiClawSimulator } from "./simulator";

const ROOT = path.resolve(__dirname, "../..");
const IDS = ["rt", "dflt", "bad", "st", "hl", "devrst", "brkrst", "full", "acla", "aclb", "lwt", "term"];
let broker: TestBroker;
// Everything a test starts is stopped afterwards, also when it fails.
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
});
const startRig = async (...args: Parameters<typeof startRigRaw>): Promise<Rig> => {
  const rig = await startRigRaw(...args);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await rig.stop();
  };
  cleanups.push(stop);
  return { ...rig, stop };
};
const client = async (...args: ConstructorParameters<typeof Client>): Promise<Client> => {
  const c = new Client(...args);
  cleanups.push(() => c.mqtt.endAsync(true));
  return c.ready();
};

beforeAll(async () => {
  broker = await startBroker(IDS);
}, 120_000);
afterAll(async () => {
  await broker?.close();
});

const echoes = (c: Client, id: string) => c.on(topics(id).outbox).filter((m) => String(m.json?.content).startsWith("echo: "));

describe("relay", () => {
  it("round trip: inbox → device → outbox with the chat_id, working status included", async () => {
    const rig = await startRig(broker, "rt");
    const c = await client(broker, "rt");
    await c.subscribe(topics("rt").outbox);
    await c.publish(topics("rt").inbox, { content: "hello", chat_id: "c1" });
    await until(() => c.on(topics("rt").outbox).length === 2, 5000, "two replies");
    expect(c.on(topics("rt").outbox).map((m) => m.json)).toEqual([
      { content: "\u{1F431}mimi is working...", chat_id: "c1" },
      { content: "echo: hello", chat_id: "c1" },
    ]);
    expect(rig.sim.received).toEqual([{ content: "hello", chat_id: "c1" }]);
    await c.close();
    await rig.stop();
  });

  it("uses the bridge's stable default chat_id when none is given", async () => {
    const rig = await startRig(broker, "dflt", { workingStatus: false });
    const c = await client(broker, "dflt");
    await c.subscribe(topics("dflt").outbox);
    await c.publish(topics("dflt").inbox, { content: "a" });
    await c.publish(topics("dflt").inbox, { content: "b" });
    await until(() => echoes(c, "dflt").length === 2, 5000, "replies");
    expect(echoes(c, "dflt").map((m) => m.json)).toEqual([
      { content: "echo: a", chat_id: "bridge-dflt" },
      { content: "echo: b", chat_id: "bridge-dflt" },
    ]);
    await c.close();
    await rig.stop();
  });

  it("reports malformed inbox messages on the errors topic with the reason", async () => {
    const rig = await startRig(broker, "bad");
    const c = await client(broker, "bad");
    await c.subscribe(topics("bad").errors);
    await c.publish(topics("bad").inbox, "not json");
    await c.publish(topics("bad").inbox, { content: 5 });
    await c.publish(topics("bad").inbox, { content: "x", chat_id: "c".repeat(32) });
    await c.publish(topics("bad").inbox, { content: "x", extra: true });
    await until(() => c.on(topics("bad").errors).length === 4, 5000, "four errors");
    expect(c.on(topics("bad").errors).map((m) => m.json)).toEqual([
      { error: "invalid inbox message: payload is not JSON", payload: "not json" },
      { error: "invalid inbox message: content must be a string", payload: '{"content":5}' },
      { error: "invalid inbox message: chat_id is longer than 31 bytes (the device cuts it and its replies would be lost)", payload: `{"content":"x","chat_id":"${"c".repeat(32)}"}` },
      { error: "invalid inbox message: unknown key(s): extra (allowed: content, chat_id)", payload: '{"content":"x","extra":true}' },
    ]);
    expect(rig.sim.received).toEqual([]);
    await c.close();
    await rig.stop();
  });

  it("paces chats: a new chat_id waits until the previous chat is answered, so no answer is dropped", async () => {
    const rig = await startRig(broker, "rt", { replyDelayMs: 100 });
    const c = await client(broker, "rt");
    await c.subscribe(topics("rt").outbox);
    c.got.length = 0;
    for (const [i, chat] of ["x", "y", "x", "z", "y"].entries()) await c.publish(topics("rt").inbox, { content: `m${i}`, chat_id: chat });
    await until(() => echoes(c, "rt").length === 5, 10_000, "five answers");
    expect(echoes(c, "rt").map((m) => [m.json!.content, m.json!.chat_id])).toEqual([
      ["echo: m0", "x"],
      ["echo: m1", "y"],
      ["echo: m2", "x"],
      ["echo: m3", "z"],
      ["echo: m4", "y"],
    ]);
    expect(rig.sim.dropped).toEqual([]);
    await c.close();
    await rig.stop();
  });
});

describe("status and health", () => {
  it("keeps a retained status: online, offline while the device is away, online again", async () => {
    const rig = await startRig(broker, "st");
    const c = await client(broker, "st");
    await c.subscribe(topics("st").status);
    await until(() => c.on(topics("st").status).length === 1, 3000, "retained status");
    expect(c.on(topics("st").status)[0]).toMatchObject({ text: "online", retain: true });
    await rig.sim.powerOff();
    await until(() => c.on(topics("st").status).at(-1)?.text === "offline", 5000, "offline");
    await rig.sim.powerOn();
    await until(() => c.on(topics("st").status).at(-1)?.text === "online", 5000, "online again");
    await c.close();
    await rig.stop();
  });

  it("/health is 200 when broker and device are connected, else 503 with the reason", async () => {
    const rig = await startRig(broker, "hl");
    expect(await getHealth(rig.bridge)).toMatchObject({ status: 200, body: { status: "ok", broker: "connected", device: "connected" } });
    await rig.sim.powerOff();
    await until(() => rig.bridge.health().code === 503, 5000, "503");
    const down = await getHealth(rig.bridge);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: "unavailable", device: "disconnected", broker: "connected" });
    expect((down.body.reasons as string[])[0]).toMatch(/^device: /);
    await rig.sim.powerOn();
    await until(() => rig.bridge.health().code === 200, 5000, "200 again");
    await broker.stop();
    await until(() => rig.bridge.health().code === 503, 5000, "503 for broker");
    const noBroker = await getHealth(rig.bridge);
    expect(noBroker.body).toMatchObject({ broker: "disconnected", device: "connected" });
    expect((noBroker.body.reasons as string[])[0]).toMatch(/^broker: /);
    await broker.start();
    await until(() => rig.bridge.health().code === 200, 10_000, "200 after broker restart");
    expect((await fetch(`http://127.0.0.1:${rig.bridge.httpPort}/other`)).status).toBe(404);
    await rig.stop();
  });
});

describe("no message lost", () => {
  it("survives a device restart: messages sent meanwhile are queued and delivered", async () => {
    const rig = await startRig(broker, "devrst", { replyDelayMs: 20, bootMs: 800 });
    const c = await client(broker, "devrst");
    await c.subscribe(topics("devrst").outbox);
    await c.subscribe(topics("devrst").errors);
    for (let i = 0; i < 10; i++) await c.publish(topics("devrst").inbox, { content: `before-${i}` });
    const restarting = rig.sim.restart();
    for (let i = 0; i < 10; i++) await c.publish(topics("devrst").inbox, { content: `during-${i}` });
    await restarting;
    for (let i = 0; i < 10; i++) await c.publish(topics("devrst").inbox, { content: `after-${i}` });
    const want = ["before", "during", "after"].flatMap((p) => Array.from({ length: 10 }, (_, i) => `echo: ${p}-${i}`));
    await until(() => want.every((w) => echoes(c, "devrst").some((m) => m.json!.content === w)), 20_000, "every answer");
    expect(rig.sim.restarts).toBe(1);
    // A message cut off mid-answer by the reboot was sent again, not reported as lost.
    expect(c.on(topics("devrst").errors)).toEqual([]);
    await c.close();
    await rig.stop();
  }, 30_000);

  it("survives a broker restart: QoS 1 + persistent sessions + persistence", async () => {
    const rig = await startRig(broker, "brkrst", { replyDelayMs: 30, workingStatus: false });
    const sub = await client(broker, "brkrst", { clientId: "test-sub-brkrst", clean: false });
    await sub.subscribe(topics("brkrst").outbox);
    const pub = await client(broker, "brkrst", { clientId: "test-pub-brkrst", clean: false });
    for (let i = 0; i < 15; i++) await pub.publish(topics("brkrst").inbox, { content: `one-${i}` });
    await broker.restart(300);
    for (let i = 0; i < 15; i++) await pub.publish(topics("brkrst").inbox, { content: `two-${i}` });
    const want = ["one", "two"].flatMap((p) => Array.from({ length: 15 }, (_, i) => `echo: ${p}-${i}`));
    await until(() => want.every((w) => echoes(sub, "brkrst").some((m) => m.json!.content === w)), 30_000, "every answer");
    await sub.close();
    await pub.close();
    await rig.stop();
  }, 45_000);

  it("bounded queue: overflow while the device is down is reported on errors, the rest delivered", async () => {
    const rig = await startRig(broker, "full", { workingStatus: false }, { queueLimit: 3 });
    const c = await client(broker, "full");
    await c.subscribe(topics("full").outbox);
    await c.subscribe(topics("full").errors);
    await rig.sim.powerOff();
    await until(() => rig.bridge.health().code === 503, 5000, "device down");
    for (let i = 0; i < 5; i++) await c.publish(topics("full").inbox, { content: `q${i}` });
    await until(() => c.on(topics("full").errors).length === 2, 5000, "two overflow errors");
    expect(c.on(topics("full").errors).map((m) => m.json)).toEqual([
      { error: "queue full (3 messages waiting for the device): message not accepted", payload: '{"content":"q3"}' },
      { error: "queue full (3 messages waiting for the device): message not accepted", payload: '{"content":"q4"}' },
    ]);
    await rig.sim.powerOn();
    await until(() => echoes(c, "full").length === 3, 5000, "queued messages delivered");
    expect(echoes(c, "full").map((m) => m.json!.content)).toEqual(["echo: q0", "echo: q1", "echo: q2"]);
    await c.close();
    await rig.stop();
  });
});

describe("ACL", () => {
  it("a device credential cannot read or write another device's topics", async () => {
    const rigA = await startRig(broker, "acla", { workingStatus: false });
    const ownerA = await client(broker, "acla");
    await ownerA.subscribe(topics("acla").outbox);
    // mosquitto 2.0 grants the SUBSCRIBE but delivers only what the ACL lets the user read.
    const spy = await client(broker, "aclb");
    await spy.subscribe(topics("acla").outbox);
    await spy.subscribe(topics("acla").inbox);
    await spy.subscribe("clawlab/devices/#");
    await spy.publish(topics("acla").inbox, { content: "intruder" });
    await ownerA.publish(topics("acla").inbox, { content: "legit" });
    // Positive control: the spy's wildcard subscription does deliver its own device's topics.
    await spy.publish(topics("aclb").inbox, { content: "own" });
    await until(() => echoes(ownerA, "acla").length === 1 && spy.got.length >= 1, 5000, "legit answer and own message");
    await new Promise((r) => setTimeout(r, 300));
    expect(rigA.sim.received.map((m) => m.content)).toEqual(["legit"]);
    expect(spy.got.map((g) => g.topic)).toEqual([topics("aclb").inbox]);
    // The bridge credential may not read another device's inbox either.
    const bridgeSpy = await client(broker, "acla", { username: bridgeUser("acla"), password: passwordsFor("acla").bridgePassword });
    await bridgeSpy.subscribe(topics("aclb").inbox);
    await spy.publish(topics("aclb").inbox, { content: "for b only" });
    await until(() => spy.got.length === 2, 5000, "spy sees its second own message");
    await new Promise((r) => setTimeout(r, 300));
    expect(bridgeSpy.got).toEqual([]);
  });

  it("rejects a wrong password", async () => {
    const c = new Client(broker, "acla", { password: "wrong", reconnectPeriod: 0 });
    cleanups.push(() => c.mqtt.endAsync(true));
    const err = await new Promise<Error>((resolve) => c.mqtt.once("error", resolve));
    expect(err.message).toMatch(/Not authorized|Bad username or password/i);
  });
});

describe("clawlab-bridge process (firmware/bridge/clawlab-bridge.js → main.ts)", () => {
  const BIN = path.join(ROOT, "firmware/bridge/clawlab-bridge.js");
  function start(env: Record<string, string>): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
    // The bin shim registers tsx in-process: one process, so SIGKILL really kills the bridge.
    const child = spawn(process.execPath, [BIN], { cwd: ROOT, env: { PATH: process.env.PATH!, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    cleanups.push(() => child.exitCode === null && child.kill("SIGKILL"));
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    return { child, out: () => out, exited };
  }
  const env = (sim: MimiClawSimulator, id: string, pwFile: string) => ({
    BRIDGE_DEVICE_ID: id,
    BRIDGE_DEVICE_URL: sim.wsUrl,
    BRIDGE_MQTT_URL: broker.url,
    BRIDGE_MQTT_USERNAME: bridgeUser(id),
    BRIDGE_MQTT_PASSWORD_FILE: pwFile,
    BRIDGE_HTTP_HOST: "127.0.0.1",
    BRIDGE_HTTP_PORT: "0",
    BRIDGE_REPLIES_PER_MESSAGE: "1",
  });
  const pwFile = (id: string) => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bridge-")), "pw");
    fs.writeFileSync(f, `${passwordsFor(id).bridgePassword}\n`, { mode: 0o600 });
    return f;
  };

  it("stops at once naming every bad or missing variable", async () => {
    const p = start({ BRIDGE_DEVICE_URL: "http://x", BRIDGE_MQTT_PASSWORD: "a", BRIDGE_MQTT_PASSWORD_FILE: "/x", BRIDGE_HTTP_PORT: "99999" });
    expect(await p.exited).toBe(2);
    for (const v of [
      "BRIDGE_DEVICE_ID is required",
      "BRIDGE_DEVICE_URL=http://x is not a ws:// or wss:// URL",
      "BRIDGE_MQTT_URL is required",
      "BRIDGE_MQTT_PASSWORD and BRIDGE_MQTT_PASSWORD_FILE are both set",
      "BRIDGE_HTTP_PORT=99999",
    ]) {
      expect(p.out()).toContain(v);
    }
  }, 20_000);

  it("the broker publishes the last will (offline) when the bridge dies", async () => {
    const sim = new MimiClawSimulator({ workingStatus: false });
    await sim.start();
    cleanups.push(() => sim.close());
    const c = await client(broker, "lwt");
    await c.subscribe(topics("lwt").status);
    const p = start(env(sim, "lwt", pwFile("lwt")));
    await until(() => c.on(topics("lwt").status).at(-1)?.text === "online", 15_000, "online");
    p.child.kill("SIGKILL");
    await p.exited;
    await until(() => c.on(topics("lwt").status).at(-1)?.text === "offline", 10_000, "last will");
    await c.close();
  }, 30_000);

  it("SIGTERM: reports undelivered messages, sets status offline, exits 0", async () => {
    const sim = new MimiClawSimulator({ workingStatus: false });
    await sim.start();
    cleanups.push(() => sim.close());
    const c = await client(broker, "term");
    await c.subscribe(topics("term").status);
    await c.subscribe(topics("term").errors);
    const p = start(env(sim, "term", pwFile("term")));
    await until(() => c.on(topics("term").status).at(-1)?.text === "online", 15_000, "online");
    await sim.powerOff();
    await until(() => c.on(topics("term").status).at(-1)?.text === "offline", 5000, "device offline");
    await c.publish(topics("term").inbox, { content: "stranded" });
    await new Promise((r) => setTimeout(r, 300));
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    await until(() => c.on(topics("term").errors).length === 1, 5000, "undelivered report");
    expect(c.on(topics("term").errors)[0]!.json).toEqual({
      error: "the bridge stopped before the device answered this message",
      payload: '{"content":"stranded","chat_id":"bridge-term"}',
    });
    expect(p.out()).not.toContain(passwordsFor("term").bridgePassword);
    await c.close();
  }, 30_000);
});

describe("pure parts", () => {
  it("backoff doubles from the minimum and never exceeds the cap", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 10, 40].map((a) => backoffDelay(a, 500, 30_000, mid))).toEqual([500, 1000, 2000, 4000, 30_000, 30_000]);
    for (let a = 0; a < 50; a++) {
      expect(backoffDelay(a, 500, 30_000, () => 1)).toBeLessThanOrEqual(30_000);
      expect(backoffDelay(a, 500, 30_000, () => 0)).toBeGreaterThanOrEqual(400);
    }
  });

  it("accepts the inbox contract", () => {
    expect(parseInbox(Buffer.from('{"content":"hi","chat_id":"c"}'))).toEqual({ ok: true, message: { content: "hi", chat_id: "c" } });
    expect(parseInbox(Buffer.from("[]"))).toEqual({ ok: false, reason: "payload must be a JSON object" });
  });
});

