/**
 * The MQTT contract of a MimiClaw device, shared by the bridge, the broker
 * ACL and the Pulumi component.
 *
 *   clawlab/devices/<id>/inbox   in:  {"content": string, "chat_id"?: string}     (QoS 1)
 *   clawlab/devices/<id>/outbox  out: {"content": string, "chat_id": string}     (QoS 1)
 *   clawlab/devices/<id>/errors  out: {"error": string, "payload"?: string}      (QoS 1)
 *   clawlab/devices/<id>/status  out: "online" | "offline", retained (last will: "offline")
 */

export const TOPIC_PREFIX = "clawlab/devices";

/** A device id must be one MQTT topic level and a safe container/user name. */
export const DEVICE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface DeviceTopics {
  inbox: string;
  outbox: string;
  errors: string;
  status: string;
}

export function deviceTopics(deviceId: string): DeviceTopics {
  if (!DEVICE_ID.test(deviceId)) {
    throw new Error(`device id "${deviceId}" must be lower-case letters, digits, - or _, starting with a letter or digit, at most 63 characters`);
  }
  const base = `${TOPIC_PREFIX}/${deviceId}`;
  return { inbox: `${base}/inbox`, outbox: `${base}/outbox`, errors: `${base}/errors`, status: `${base}/status` };
}

/** Upstream keeps a WebSocket client's chat_id in char[32]: longer ids are cut and replies no longer find the client. */
export const MAX_CHAT_ID_BYTES = 31;
/** Largest message content the bridge forwards to the device. */
export const MAX_CONTENT_BYTES = 16 * 1024;

export interface InboxMessage {
  content: string;
  chat_id?: string;
}

/** Validates an inbox payload; returns the message or the reason it is refused. */
export function parseInbox(payload: Buffer): { ok: true; message: InboxMessage } | { ok: false; reason: string } {
  let data: unknown;
  try {
    data = JSON.parse(payload.toString("utf8"));
  } catch {
    return { ok: false, reason: "payload is not JSON" };
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) return { ok: false, reason: "payload must be a JSON object" };
  const o = data as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => k !== "content" && k !== "chat_id");
  if (unknown.length > 0) return { ok: false, reason: `unknown key(s): ${unknown.join(", ")} (allowed: content, chat_id)` };
  if (typeof o.content !== "string") return { ok: false, reason: "content must be a string" };
  if (o.content.length === 0) return { ok: false, reason: "content must not be empty" };
  if (Buffer.byteLength(o.content) > MAX_CONTENT_BYTES) return { ok: false, reason: `content is larger than ${MAX_CONTENT_BYTES} bytes` };
  if (o.chat_id !== undefined) {
    if (typeof o.chat_id !== "string" || o.chat_id.length === 0) return { ok: false, reason: "chat_id must be a non-empty string when given" };
    if (Buffer.byteLength(o.chat_id) > MAX_CHAT_ID_BYTES) {
      return { ok: false, reason: `chat_id is longer than ${MAX_CHAT_ID_BYTES} bytes (the device cuts it and its replies would be lost)` };
    }
  }
  return { ok: true, message: o.chat_id === undefined ? { content: o.content } : { content: o.content, chat_id: o.chat_id } };
}

/** The stable chat_id a bridge uses when a message has none. */
export function defaultChatId(deviceId: string): string {
  return `bridge-${deviceId}`.slice(0, MAX_CHAT_ID_BYTES);
}
