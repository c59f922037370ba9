/**
 * Bridge settings from the environment. Every problem is collected and the
 * bridge stops once, naming each variable (see firmware/README.md).
 */
import { EnvReader } from "../mimiclaw/env";
import { DEVICE_ID, defaultChatId } from "./topics";

export interface BridgeConfig {
  deviceId: string;
  /** ws://host:port/ of the device's WebSocket server (upstream port 18789). */
  deviceUrl: string;
  mqttUrl: string;
  mqttUsername?: string;
  mqttPassword?: string;
  httpHost: string;
  /** 0 picks a free port (tests). */
  httpPort: number;
  /** Messages held while the device is unreachable; more are refused on the errors topic. */
  queueLimit: number;
  /** Messages sent to the device without any reply yet (the device holds 8 in its WebSocket queue). */
  deviceWindow: number;
  /** Responses the device sends per message: upstream sends a "working" status, then the answer (2). */
  repliesPerMessage: number;
  /** A message with no reply after this long frees its window slot and is reported. */
  replyTimeoutMs: number;
  defaultChatId: string;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Application ping ({"type":"ping"}) interval; no pong within it drops the connection. */
  devicePingMs: number;
}

export function bridgeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const r = new EnvReader(env);
  const deviceId = r.required("BRIDGE_DEVICE_ID", "the device id used in topics clawlab/devices/<id>/...");
  if (deviceId && !DEVICE_ID.test(deviceId)) {
    r.problems.push(`BRIDGE_DEVICE_ID=${deviceId} must be lower-case letters, digits, - or _ (one MQTT topic level, at most 63 characters)`);
  }
  const deviceUrl = r.required("BRIDGE_DEVICE_URL", "the device WebSocket, e.g. ws://192.168.1.50:18789/");
  if (deviceUrl && !isUrl(deviceUrl, ["ws:", "wss:"])) r.problems.push(`BRIDGE_DEVICE_URL=${deviceUrl} is not a ws:// or wss:// URL`);
  const mqttUrl = r.required("BRIDGE_MQTT_URL", "the broker, e.g. mqtt://broker:1883");
  if (mqttUrl && !isUrl(mqttUrl, ["mqtt:", "mqtts:", "tcp:", "ssl:"])) r.problems.push(`BRIDGE_MQTT_URL=${mqttUrl} is not an mqtt:// or mqtts:// URL`);
  if (mqttUrl && isUrl(mqttUrl, ["mqtt:", "mqtts:", "tcp:", "ssl:"]) && new URL(mqttUrl).password) {
    r.problems.push("BRIDGE_MQTT_URL must not contain a password: use BRIDGE_MQTT_PASSWORD or BRIDGE_MQTT_PASSWORD_FILE");
  }
  const mqttUsername = r.optional("BRIDGE_MQTT_USERNAME");
  const mqttPassword = r.secret("BRIDGE_MQTT_PASSWORD", { required: false });
  if (mqttPassword !== undefined && mqttUsername === undefined) r.problems.push("BRIDGE_MQTT_USERNAME is required when a password is set");
  const reconnectMinMs = r.int("BRIDGE_RECONNECT_MIN_MS", 500, 10, 600000);
  const reconnectMaxMs = r.int("BRIDGE_RECONNECT_MAX_MS", 30000, 10, 3600000);
  if (reconnectMaxMs < reconnectMinMs) r.problems.push("BRIDGE_RECONNECT_MAX_MS must not be smaller than BRIDGE_RECONNECT_MIN_MS");
  const cfg: BridgeConfig = {
    deviceId,
    deviceUrl,
    mqttUrl,
    mqttUsername,
    mqttPassword,
    httpHost: r.optional("BRIDGE_HTTP_HOST") ?? "0.0.0.0",
    httpPort: r.int("BRIDGE_HTTP_PORT", 8080, 0, 65535),
    queueLimit: r.int("BRIDGE_QUEUE_LIMIT", 1000, 1, 1000000),
    deviceWindow: r.int("BRIDGE_DEVICE_WINDOW", 4, 1, 8),
    repliesPerMessage: r.int("BRIDGE_REPLIES_PER_MESSAGE", 2, 1, 9),
    replyTimeoutMs: r.int("BRIDGE_REPLY_TIMEOUT_MS", 180000, 100, 3600000),
    defaultChatId: defaultChatId(DEVICE_ID.test(deviceId) ? deviceId : "device"),
    reconnectMinMs,
    reconnectMaxMs,
    devicePingMs: r.int("BRIDGE_DEVICE_PING_MS", 15000, 50, 600000),
  };
  r.done();
  return cfg;
}

function isUrl(s: string, protocols: string[]): boolean {
  try {
    const u = new URL(s);
    return protocols.includes(u.protocol) && u.hostname !== "";
  } catch {
    return false;
  }
}
