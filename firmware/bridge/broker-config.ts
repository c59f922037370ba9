/**
 * Mosquitto configuration for the MimiClaw devices, rendered deterministically
 * (the same inputs give the same files, so Pulumi sees no spurious change).
 *
 * Two users per device:
 *   device-<id>  the device's own credential (what a client of that device, or
 *                a firmware speaking MQTT itself, uses): readwrite on its own
 *                clawlab/devices/<id>/# only
 *   bridge-<id>  the bridge: read inbox, write outbox/errors/status
 */
import crypto from "node:crypto";
import { deviceTopics, TOPIC_PREFIX } from "./topics";

export interface BrokerDevice {
  id: string;
  devicePassword: string;
  bridgePassword: string;
}

export const deviceUser = (id: string) => `device-${id}`;
export const bridgeUser = (id: string) => `bridge-${id}`;

/** mosquitto_passwd's default: PBKDF2-SHA512 ("$7$"), 101 iterations, 12-byte salt, 64-byte hash. */
const ITERATIONS = 101;

/**
 * One mosquitto password-file line. The salt is derived from user and
 * password (HMAC), so the line is stable across runs yet differs per user.
 */
export function passwordLine(user: string, password: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(user)) throw new Error(`user name "${user}" has characters a password file cannot hold`);
  const salt = crypto.createHmac("sha512", password).update(`mosquitto-salt:${user}`).digest().subarray(0, 12);
  const hash = crypto.pbkdf2Sync(password, salt, ITERATIONS, 64, "sha512");
  return `${user}:$7$${ITERATIONS}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

export function renderPasswordFile(devices: readonly BrokerDevice[]): string {
  return (
    devices
      .flatMap((d) => [passwordLine(deviceUser(d.id), d.devicePassword), passwordLine(bridgeUser(d.id), d.bridgePassword)])
      .join("\n") + "\n"
  );
}

export function renderAclFile(deviceIds: readonly string[]): string {
  const blocks = deviceIds.map((id) => {
    const t = deviceTopics(id);
    return [
      `user ${deviceUser(id)}`,
      `topic readwrite ${TOPIC_PREFIX}/${id}/#`,
      "",
      `user ${bridgeUser(id)}`,
      `topic read ${t.inbox}`,
      `topic write ${t.outbox}`,
      `topic write ${t.errors}`,
      `topic write ${t.status}`,
      "",
    ].join("\n");
  });
  return `# Generated for ClawLab MimiClaw devices. No pattern lines: a user sees only its own device.\n\n${blocks.join("\n")}`;
}

export interface BrokerPaths {
  passwordFile: string;
  aclFile: string;
  /** Directory for mosquitto.db; omit to run without persistence. */
  persistenceDir?: string;
}

export function renderMosquittoConf(port: number, paths: BrokerPaths, opts: { bindAddress?: string; logToStdout?: boolean; user?: string } = {}): string {
  return [
    "# Generated for ClawLab MimiClaw devices.",
    "per_listener_settings false",
    // When started as root mosquitto switches to this user before reading the files below.
    ...(opts.user ? [`user ${opts.user}`] : []),
    "allow_anonymous false",
    `password_file ${paths.passwordFile}`,
    `acl_file ${paths.aclFile}`,
    opts.bindAddress ? `listener ${port} ${opts.bindAddress}` : `listener ${port}`,
    ...(paths.persistenceDir
      ? ["persistence true", `persistence_location ${paths.persistenceDir.replace(/\/?$/, "/")}`, "autosave_interval 60"]
      : ["persistence false"]),
    // Small messages: without this, Nagle + delayed ACK add ~40 ms per hop.
    "set_tcp_nodelay true",
    // QoS 1 messages for a disconnected persistent session are kept (bounded).
    "max_queued_messages 10000",
    ...(opts.logToStdout === false ? [] : ["log_dest stdout"]),
    "log_type error",
    "log_type warning",
    "log_type notice",
    "",
  ].join("\n");
}
