/**
 * The canonical config: the zod schema of `clawlab.toml`. The schema is strict (an
 * unknown key is an error naming its path) and checks every field on its own; the
 * checks that span fields (references, clashes, support) live in `validate.ts`.
 */
import { z } from "zod";
import { CHANNEL_TYPES, PROVIDER_TYPES, RUNTIME_NAMES } from "../../runtimes/types";

/** A name used as a table key and inside resource names: lower-case DNS label. */
const NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,31}$/;
const name = () =>
  z.string().regex(NAME_PATTERN, {
    error: "must be a lower-case name: a letter, then letters, digits or single '-', at most 32 characters",
  });

/**
 * A pinned upstream version: a release tag with at least `major.minor` digits, optionally
 * behind a prefix (`v0.8.4`, `2026.9.6`, `ironclaw-v1.3.0`). Branches and `latest` are not pins.
 */
export const VERSION_PATTERN = /^(?:[a-z][a-z0-9]*-)?v?\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z][0-9A-Za-z.]*)?$/;
const version = () =>
  z.string().regex(VERSION_PATTERN, {
    error: "must be a pinned release tag such as v0.8.4 or 2026.9.6 (not a branch or 'latest')",
  });

const port = () =>
  z
    .number({ error: "must be 1-65535" })
    .int({ error: "must be 1-65535" })
    .min(1, { error: "must be 1-65535" })
    .max(65535, { error: "must be 1-65535" });

/**
 * Where a secret comes from: `{ secret = "configKey" }` reads the stack's Pulumi secret
 * config, `{ env = "NAME" }` the deploy-time environment. A literal value is refused so
 * that no secret ever sits in the file.
 */
export type SecretRef = { readonly secret: string } | { readonly env: string };
const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_.-]*(?::[A-Za-z][A-Za-z0-9_.-]*)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const secretRef = () =>
  z.unknown().transform((value, ctx): SecretRef => {
    const refuse = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    if (typeof value === "string") {
      return refuse(
        'must be a secret reference ({ secret = "pulumiConfigKey" } or { env = "VAR" }), not a literal value',
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return refuse('must be { secret = "pulumiConfigKey" } or { env = "VAR" }');
    }
    const keys = Object.keys(value);
    const record = value as Record<string, unknown>;
    if (keys.length !== 1 || !(keys[0] === "secret" || keys[0] === "env")) {
      return refuse('must have exactly one of the keys "secret" or "env"');
    }
    const ref = record[keys[0]];
    if (keys[0] === "secret") {
      if (typeof ref !== "string" || !CONFIG_KEY.test(ref)) return refuse("secret must name a Pulumi config key");
      return { secret: ref };
    }
    if (typeof ref !== "string" || !ENV_NAME.test(ref)) return refuse("env must name an environment variable");
    return { env: ref };
  });

const fleetSchema = z.strictObject({
  /** Fleet name: prefixes container, volume and network names. */
  name: name(),
  /** Image registry prefix: images go to `<registry>/<runtime>:<version>`. */
  registry: z
    .string()
    .regex(/^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)+$/, { error: "must look like ghcr.io/owner" })
    .default("ghcr.io/codervisor"),
});

const hostSchema = z.strictObject({
  /** Docker endpoint: unix:///var/run/docker.sock, ssh://user@host or tcp://host:2376. */
  docker_host: z
    .string()
    .regex(/^(unix:\/\/\/\S+|ssh:\/\/\S+|tcp:\/\/\S+)$/, { error: "must be unix://, ssh:// or tcp:// URL" }),
});

const providerSchema = z.strictObject({
  type: z.enum(PROVIDER_TYPES, { error: `must be one of ${PROVIDER_TYPES.join(", ")}` }),
  api_key: secretRef().optional(),
  base_url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
});

const allowedUsers = () =>
  z.array(z.string().regex(/^[A-Za-z0-9_@.-]{1,64}$/, { error: "must be a user id (letters, digits, _@.-)" })).default([]);

const channelSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("telegram"),
      bot_token: secretRef(),
      allowed_users: allowedUsers(),
    }),
    z.strictObject({
      type: z.literal("discord"),
      bot_token: secretRef(),
      guild_ids: z.array(z.string().regex(/^\d{1,32}$/, { error: "must be a numeric guild id" })).default([]),
      allowed_users: allowedUsers(),
    }),
    z.strictObject({
      type: z.literal("slack"),
      bot_token: secretRef(),
      app_token: secretRef(),
      allowed_users: allowedUsers(),
    }),
  ],
  { error: `type must be one of ${CHANNEL_TYPES.join(", ")}` },
);

const runtimeSchema = z.strictObject({
  /** Deploy it; default true. */
  enabled: z.boolean().default(true),
  /** Pinned upstream tag; default the declaration's. */
  version: version().optional(),
  /** The commit `version` points at (checked by the build); default the declaration's for its own version. */
  revision: z.string().regex(/^[0-9a-f]{40}$/, { error: "must be a full 40-character commit hash" }).optional(),
  /** Name of a `[providers.*]` entry. */
  provider: name(),
  /** Model id as the provider names it. */
  model: z.string().min(1, { error: "must not be empty" }).max(200),
  /** Names of `[channels.*]` entries this runtime serves. */
  channels: z.array(name()).default([]),
  /** Host port it is published on; default the runtime's internal port. */
  port: port().optional(),
  /** Name of a `[hosts.*]` entry; default "local". */
  host: name().default("local"),
  /** Container memory limit in MiB; default the declaration's. */
  memory_mb: z.number().int().min(64, { error: "must be at least 64" }).max(262144).optional(),
  /** IronClaw only: an external PostgreSQL URL instead of the managed sidecar. */
  database_url: secretRef().optional(),
  /**
   * NanoClaw only: the Docker API its agent containers are spawned through — a dedicated
   * engine (recommended: a sandbox VM or rootless engine, `tcp://` or `ssh://`).
   */
  agent_docker_host: z
    .string()
    .regex(/^(tcp|ssh):\/\/\S+$/, { error: "must be a tcp:// or ssh:// URL of a dedicated Docker engine" })
    .optional(),
  /** NanoClaw only: mount the host's Docker socket instead (gives the runtime root on the host). */
  docker_socket: z.boolean().optional(),
  /** NanoClaw only: the OneCLI vault its agents get their credentials from (required: upstream silently falls back to its cloud). */
  onecli_url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  /** NanoClaw only: the OneCLI API key. */
  onecli_api_key: secretRef().optional(),
});

const deviceSchema = z.strictObject({
  type: z.literal("mimiclaw", { error: 'must be "mimiclaw"' }),
  enabled: z.boolean().default(true),
  firmware_version: version(),
  /** The commit the firmware tag must resolve to; default: not checked. */
  firmware_commit: z.string().regex(/^[0-9a-f]{40}$/, { error: "must be a full 40-character commit hash" }).optional(),
  serial_port: z.string().regex(/^\/dev\/\S+$/, { error: "must be a device path such as /dev/ttyACM0" }),
  baud: z.number().int().positive().default(460800),
  wifi_ssid: secretRef(),
  wifi_password: secretRef(),
  provider: name(),
  model: z.string().min(1).max(200),
  channel: name().optional(),
  /** The device's WebSocket address on the network, host:port. */
  address: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: "must be host:port of the device's WebSocket (port 18789)" }),
  /** The host whose engine runs the broker and bridge; default "local". */
  host: name().default("local"),
  /** Host port the bridge's /health is published on; default: not published. */
  bridge_port: port().optional(),
});

/** `clawlab.toml`, field by field. */
export const canonicalSchema = z.strictObject({
  fleet: fleetSchema,
  hosts: z.record(name(), hostSchema).default({ local: { docker_host: "unix:///var/run/docker.sock" } }),
  providers: z.record(name(), providerSchema).default({}),
  channels: z.record(name(), channelSchema).default({}),
  runtimes: z
    .partialRecord(z.enum(RUNTIME_NAMES), runtimeSchema)
    .default({}),
  devices: z.record(name(), deviceSchema).default({}),
});

export type CanonicalInput = z.input<typeof canonicalSchema>;
export type Canonical = z.output<typeof canonicalSchema>;
export type ProviderConfig = Canonical["providers"][string];
export type ChannelConfig = Canonical["channels"][string];
export type RuntimeConfig = z.output<typeof runtimeSchema>;
export type DeviceConfig = z.output<typeof deviceSchema>;
