/**
 * Test and benchmark harness: a real broker, simulated devices, bridges, and
 * MQTT clients that collect what they receive.
 */
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { Bridge } from "../../firmware/bridge/bridge";
import { type BrokerDevice, bridgeUser, deviceUser } from "../../firmware/bridge/broker-config";
import type { BridgeConfig } from "../../firmware/bridge/config";
import { defaultChatId, deviceTopics } from "../../firmware/bridge/topics";
import { TestBroker, ensureTestTools } from "./services";
import { MimiClawSimulator, type SimulatorOptions } from "./simulator";

export const passwordsFor = (id: string): BrokerDevice => ({ id, devicePassword: `dev ${id} "pw"\\x`, bridgePassword: `bridge-${id}-pw` });

export async function startBroker(ids: string[]): Promise<TestBroker> {
  ensureTestTools();
  const broker = new TestBroker(ids.map(passwordsFor));
  await broker.start();
  return broker;
}

export function bridgeConfig(broker: TestBroker, sim: MimiClawSimulator, id: string, over: Partial<BridgeConfig> = {}): BridgeConfig {
  return {
    deviceId: id,
    deviceUrl: sim.wsUrl,
    mqttUrl: broker.url,
    mqttUsername: bridgeUser(id),
    mqttPassword: passwordsFor(id).bridgePassword,
    httpHost: "127.0.0.1",
    httpPort: 0,
    queueLimit: 1000,
    deviceWindow: 4,
    repliesPerMessage: 2,
    replyTimeoutMs: 20_000,
    defaultChatId: defaultChatId(id),
    reconnectMinMs: 50,
    reconnectMaxMs: 400,
    devicePingMs: 1000,
    ...over,
  };
}

export interface Rig {
  sim: MimiClawSimulator;
  bridge: Bridge;
  stop(): Promise<void>;
}

/** A simulated device and its bridge, connected to `broker`. */
export async function startRig(broker: TestBroker, id: string, sim: SimulatorOptions = {}, over: Partial<BridgeConfig> = {}): Promise<Rig> {
  const device = new MimiClawSimulator(sim);
  await device.start();
  const bridge = new Bridge(bridgeConfig(broker, device, id, { repliesPerMessage: sim.workingStatus === false ? 1 : 2, ...over }), { log: () => undefined });
  await bridge.start();
  await until(() => bridge.health().code === 200, 5000, `bridge ${id} healthy`);
  return {
    sim: device,
    bridge,
    async stop() {
      await bridge.stop();
      await device.close();
    },
  };
}

export interface Received {
  topic: string;
  text: string;
  json?: Record<string, unknown>;
  retain: boolean;
}

/** An MQTT client (a device credential by default) that records every message. */
export class Client {
  readonly got: Received[] = [];
  readonly mqtt: MqttClient;

  constructor(broker: TestBroker, id: string, opts: IClientOptions = {}) {
    this.mqtt = mqtt.connect(broker.url, {
      username: deviceUser(id),
      password: passwordsFor(id).devicePassword,
      reconnectPeriod: 100,
      protocolVersion: 4,
      ...opts,
    });
    this.mqtt.on("connect", () => (this.mqtt.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true));
    this.mqtt.on("message", (topic, payload, packet) => {
      const text = payload.toString();
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      this.got.push({ topic, text, json, retain: packet.retain });
    });
  }

  async ready(): Promise<this> {
    if (!this.mqtt.connected) await new Promise<void>((resolve, reject) => this.mqtt.once("connect", () => resolve()).once("error", reject));
    return this;
  }

  async subscribe(topic: string): Promise<number[]> {
    const granted = await this.mqtt.subscribeAsync(topic, { qos: 1 });
    return granted.map((g) => g.qos);
  }

  async publish(topic: string, payload: string | object): Promise<void> {
    await this.mqtt.publishAsync(topic, typeof payload === "string" ? payload : JSON.stringify(payload), { qos: 1 });
  }

  on(topic: string): Received[] {
    return this.got.filter((g) => g.topic === topic);
  }

  async close(): Promise<void> {
    await this.mqtt.endAsync(true);
  }
}

export const topics = deviceTopics;

export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function getHealth(bridge: Bridge): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${bridge.httpPort}/health`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
