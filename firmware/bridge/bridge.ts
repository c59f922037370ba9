/**
 * The MQTT ⇄ MimiClaw bridge.
 *
 * inbox (QoS 1) → queue (bounded) → device WebSocket {"type":"message",...}
 * device {"type":"response",...} → outbox (QoS 1); problems → errors (QoS 1);
 * retained status "online" while broker and device are both reachable,
 * "offline" otherwise (also the broker's last will).
 *
 * Delivery to the device is paced, because upstream has no acknowledgement
 * and drops what its 8-slot WebSocket queue cannot hold:
 * - at most `deviceWindow` messages are outstanding (sent, not fully answered);
 * - upstream routes a reply to the connection whose LAST message carried that
 *   chat_id, so a message for another chat_id is sent only when nothing is
 *   outstanding (otherwise the earlier chat's answer would be dropped);
 * - a message counts as answered after `repliesPerMessage` responses (upstream
 *   sends a "working" status and then the answer: 2), or after
 *   `replyTimeoutMs`, which is reported on the errors topic.
 * If the device connection drops, every message not fully answered is sent
 * again after reconnecting (at least once).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import mqtt, { type MqttClient } from "mqtt";
import WebSocket from "ws";
import type { BridgeConfig } from "./config";
import { type DeviceTopics, deviceTopics, parseInbox } from "./topics";

export interface BridgeOptions {
  log?: (line: string) => void;
}

interface Pending {
  content: string;
  chat_id: string;
}

interface InFlight {
  msg: Pending;
  repliesLeft: number;
  timer: NodeJS.Timeout;
}

/** Capped exponential backoff with ±20 % jitter: min·2^attempt, never above max. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(Math.min(maxMs, base * (0.8 + 0.4 * random())));
}

export class Bridge {
  readonly topics: DeviceTopics;
  private mqtt?: MqttClient;
  private ws?: WebSocket;
  private server?: http.Server;
  private brokerUp = false;
  private deviceUp = false;
  private brokerProblem = "not connected yet";
  private deviceProblem = "not connected yet";
  private brokerAttempt = 0;
  private deviceAttempt = 0;
  private brokerTimer?: NodeJS.Timeout;
  private deviceTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private awaitingPong = false;
  private stopping = false;
  private lastStatus?: string;
  private readonly queue: Pending[] = [];
  private inFlight: InFlight[] = [];
  private currentChat?: string;
  private readonly repliesPerMessage: number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly cfg: BridgeConfig,
    opts: BridgeOptions = {},
  ) {
    this.topics = deviceTopics(cfg.deviceId);
    this.repliesPerMessage = cfg.repliesPerMessage;
    this.log = opts.log ?? ((l) => process.stderr.write(`bridge[${cfg.deviceId}]: ${l}\n`));
  }

  /** The port /health listens on (useful with BRIDGE_HTTP_PORT=0). */
  get httpPort(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Messages waiting for the device plus those sent and not yet answered. */
  get backlog(): { queued: number; inFlight: number } {
    return { queued: this.queue.length, inFlight: this.inFlight.length };
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.onHttp(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.cfg.httpPort, this.cfg.httpHost, () => resolve());
    });
    this.log(`health on http://${this.cfg.httpHost}:${this.httpPort}/health`);
    this.connectBroker();
    this.connectDevice();
  }

  /** Graceful stop: undelivered messages are reported, status goes offline, connections close. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.brokerTimer);
    clearTimeout(this.deviceTimer);
    clearInterval(this.pingTimer);
    const undelivered = [...this.inFlight.map((f) => f.msg), ...this.queue];
    for (const f of this.inFlight) clearTimeout(f.timer);
    this.inFlight = [];
    this.queue.length = 0;
    for (const m of undelivered) this.reportError("the bridge stopped before the device answered this message", JSON.stringify(m));
    this.ws?.terminate();
    if (this.mqtt) {
      const client = this.mqtt;
      if (this.brokerUp) {
        await Promise.race([
          new Promise<void>((resolve) => client.publish(this.topics.status, "offline", { qos: 1, retain: true }, () => resolve())),
          sleep(2000),
        ]);
      }
      // Wait (bounded) for outstanding acknowledgements, then close regardless.
      const ended = new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
      if ((await Promise.race([ended.then(() => true), sleep(3000).then(() => false)])) === false) {
        this.log(`stopping with ${Object.keys(client.outgoing).length} message(s) the broker has not acknowledged`);
        await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
      }
    }
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Health as served on /health. */
  health(): { code: number; body: Record<string, unknown> } {
    const reasons: string[] = [];
    if (!this.brokerUp) reasons.push(`broker: ${this.brokerProblem}`);
    if (!this.deviceUp) reasons.push(`device: ${this.deviceProblem}`);
    const body = {
      status: reasons.length === 0 ? "ok" : "unavailable",
      device_id: this.cfg.deviceId,
      broker: this.brokerUp ? "connected" : "disconnected",
      device: this.deviceUp ? "connected" : "disconnected",
      queued: this.queue.length,
      in_flight: this.inFlight.length,
      ...(reasons.length > 0 ? { reasons } : {}),
    };
    return { code: reasons.length === 0 ? 200 : 503, body };
  }

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://bridge");
    if (url.pathname === "/health" && (req.method === "GET" || req.method === "HEAD")) {
      const h = this.health();
      res.writeHead(h.code, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : JSON.stringify(h.body));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
  }

  // ---------------------------------------------------------------- broker

  private connectBroker(): void {
    const client = mqtt.connect(this.cfg.mqttUrl, {
      clientId: `clawlab-bridge-${this.cfg.deviceId}`,
      clean: false,
      protocolVersion: 4,
      username: this.cfg.mqttUsername,
      password: this.cfg.mqttPassword,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      resubscribe: true,
      will: { topic: this.topics.status, payload: Buffer.from("offline"), qos: 1, retain: true },
    });
    this.mqtt = client;
    client.on("connect", () => {
      // mqtt.js leaves Nagle on: a PUBACK followed by a PUBLISH would wait for a delayed ACK (~40 ms).
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      this.brokerUp = true;
      this.brokerAttempt = 0;
      this.brokerProblem = "";
      this.log("broker connected");
      client.subscribe(this.topics.inbox, { qos: 1 }, (err, granted) => {
        if (err || granted?.some((g) => g.qos === 128)) {
          this.brokerProblem = `subscription to ${this.topics.inbox} refused`;
          this.log(this.brokerProblem);
        }
      });
      this.lastStatus = undefined;
      this.publishStatus();
    });
    client.on("message", (topic, payload) => {
      if (topic === this.topics.inbox) this.onInbox(payload);
    });
    client.on("error", (err) => {
      this.brokerProblem = err.message;
    });
    client.on("close", () => {
      if (this.brokerUp) this.log("broker connection lost");
      this.brokerUp = false;
      if (!this.brokerProblem) this.brokerProblem = "connection closed";
      this.scheduleBroker();
    });
  }

  private scheduleBroker(): void {
    if (this.stopping || this.brokerTimer) return;
    const delay = backoffDelay(this.brokerAttempt++, this.cfg.reconnectMinMs, this.cfg.reconnectMaxMs);
    this.brokerTimer = setTimeout(() => {
      this.brokerTimer = undefined;
      const c = this.mqtt;
      // Pass the stores back in: reconnect() without them starts with empty
      // ones and silently drops QoS 1 messages not yet acknowledged.
      if (!this.stopping && !this.brokerUp && c) c.reconnect({ incomingStore: c.incomingStore, outgoingStore: c.outgoingStore });
    }, delay);
  }

  private publishStatus(): void {
    const status = this.brokerUp && this.deviceUp ? "online" : "offline";
    if (!this.mqtt || !this.brokerUp || status === this.lastStatus) return;
    this.lastStatus = status;
    this.mqtt.publish(this.topics.status, status, { qos: 1, retain: true });
  }

  private reportError(reason: string, payload?: string): void {
    this.log(`error: ${reason}`);
    const body: Record<string, string> = { error: reason };
    if (payload !== undefined) body.payload = payload.length > 65536 ? `${payload.slice(0, 65536)}…` : payload;
    // QoS 1: mqtt.js keeps it while the broker is away and sends it on reconnect.
    this.mqtt?.publish(this.topics.errors, JSON.stringify(body), { qos: 1 });
  }

  private onInbox(payload: Buffer): void {
    const parsed = parseInbox(payload);
    if (!parsed.ok) {
      this.reportError(`invalid inbox message: ${parsed.reason}`, payload.toString("utf8"));
      return;
    }
    const msg: Pending = { content: parsed.message.content, chat_id: parsed.message.chat_id ?? this.cfg.defaultChatId };
    if (this.queue.length >= this.cfg.queueLimit) {
      this.reportError(`queue full (${this.cfg.queueLimit} messages waiting for the device): message not accepted`, payload.toString("utf8"));
      return;
    }
    this.queue.push(msg);
    this.pump();
  }

  // ---------------------------------------------------------------- device

  private connectDevice(): void {
    const ws = new WebSocket(this.cfg.deviceUrl, { handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on("open", () => {
      this.deviceUp = true;
      this.deviceAttempt = 0;
      this.deviceProblem = "";
      this.currentChat = undefined;
      this.awaitingPong = false;
      this.log("device connected");
      this.pingTimer = setInterval(() => this.ping(), this.cfg.devicePingMs);
      this.publishStatus();
      this.pump();
    });
    ws.on("message", (data) => this.onDevice(data.toString()));
    ws.on("error", (err) => {
      this.deviceProblem = err.message;
    });
    ws.on("close", () => {
      if (this.ws !== ws) return;
      clearInterval(this.pingTimer);
      if (this.deviceUp) this.log("device connection lost");
      this.deviceUp = false;
      if (!this.deviceProblem) this.deviceProblem = "connection closed";
      this.requeueInFlight();
      this.publishStatus();
      this.scheduleDevice();
    });
  }

  private scheduleDevice(): void {
    if (this.stopping || this.deviceTimer) return;
    const delay = backoffDelay(this.deviceAttempt++, this.cfg.reconnectMinMs, this.cfg.reconnectMaxMs);
    this.deviceTimer = setTimeout(() => {
      this.deviceTimer = undefined;
      if (!this.stopping) this.connectDevice();
    }, delay);
  }

  private ping(): void {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.awaitingPong) {
      this.deviceProblem = `no answer to ping within ${this.cfg.devicePingMs} ms`;
      this.ws.terminate();
      return;
    }
    this.awaitingPong = true;
    this.ws.send(JSON.stringify({ type: "ping", ts: Date.now() }));
  }

  private onDevice(text: string): void {
    this.awaitingPong = false;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      this.reportError("the device sent a frame that is not JSON", text);
      return;
    }
    const m = (data && typeof data === "object" ? data : {}) as Record<string, unknown>;
    if (m.type !== "response") return; // pong, register_ack, ...
    if (typeof m.content !== "string") {
      this.reportError("the device sent a response without string content", text);
      return;
    }
    const chatId = typeof m.chat_id === "string" && m.chat_id !== "" ? m.chat_id : this.cfg.defaultChatId;
    this.mqtt?.publish(this.topics.outbox, JSON.stringify({ content: m.content, chat_id: chatId }), { qos: 1 });
    const head = this.inFlight[0];
    if (head && chatId === this.currentChat) {
      head.repliesLeft--;
      if (head.repliesLeft <= 0) {
        clearTimeout(head.timer);
        this.inFlight.shift();
        this.pump();
      }
    }
  }

  /** Sends queued messages while the window and the chat_id rule allow. */
  private pump(): void {
    while (this.queue.length > 0 && this.deviceUp && this.ws?.readyState === WebSocket.OPEN) {
      const next = this.queue[0]!;
      if (this.inFlight.length >= this.cfg.deviceWindow) return;
      if (this.inFlight.length > 0 && next.chat_id !== this.currentChat) return;
      this.queue.shift();
      this.currentChat = next.chat_id;
      const entry: InFlight = {
        msg: next,
        repliesLeft: this.repliesPerMessage,
        timer: setTimeout(() => this.replyTimedOut(entry), this.cfg.replyTimeoutMs),
      };
      this.inFlight.push(entry);
      this.ws.send(JSON.stringify({ type: "message", content: next.content, chat_id: next.chat_id }), (err) => {
        if (err) this.deviceProblem = `send failed: ${err.message}`;
      });
    }
  }

  private replyTimedOut(entry: InFlight): void {
    const i = this.inFlight.indexOf(entry);
    if (i < 0) return;
    this.inFlight.splice(i, 1);
    const got = this.repliesPerMessage - entry.repliesLeft;
    this.reportError(`no complete answer from the device within ${this.cfg.replyTimeoutMs} ms (${got} of ${this.repliesPerMessage} replies)`, JSON.stringify(entry.msg));
    this.pump();
  }

  /**
   * After a lost connection every message without its full answer goes back to
   * the front of the queue, in order (at least once: a device that rebooted
   * mid-answer answers again; its session may then hold the message twice).
   */
  private requeueInFlight(): void {
    for (const f of this.inFlight) clearTimeout(f.timer);
    const unfinished = this.inFlight.map((f) => f.msg);
    this.inFlight = [];
    this.currentChat = undefined;
    this.queue.unshift(...unfinished);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
