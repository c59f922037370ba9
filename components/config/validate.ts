/**
 * From a parsed document to a checked fleet spec: the zod schema field by field, then
 * the checks that span fields. All problems are collected and thrown together.
 */
import type { z } from "zod";
import { declarations } from "../../runtimes";
import { RUNTIME_NAMES, type RuntimeDeclaration, type RuntimeName } from "../../runtimes/types";
import { ConfigError, type ConfigIssue, joinPath } from "./errors";
import {
  canonicalSchema,
  type Canonical,
  type ChannelConfig,
  type DeviceConfig,
  type ProviderConfig,
  type SecretRef,
} from "./schema";

/** A provider with its table name. */
export type NamedProvider = ProviderConfig & { readonly name: string };
/** A channel with its table name. */
export type NamedChannel = ChannelConfig & { readonly name: string };

/** One enabled runtime, every default applied and every reference resolved. */
export interface RuntimeSpec {
  readonly name: RuntimeName;
  readonly declaration: RuntimeDeclaration;
  readonly version: string;
  /** The commit the version's tag must point at; empty when unknown (the build then only warns). */
  readonly revision: string;
  readonly provider: NamedProvider;
  readonly model: string;
  readonly channels: readonly NamedChannel[];
  readonly host: string;
  /** Host port. */
  readonly port: number;
  readonly memoryMiB: number;
  /** Bumped to rotate the runtime's generated tokens. */
  readonly tokenRotation: number;
  readonly databaseUrl?: SecretRef;
  /** NanoClaw: mount the host's Docker socket. */
  readonly dockerSocket: boolean;
  /** NanoClaw: the dedicated engine agents are spawned on. */
  readonly agentDockerHost?: string;
  /** NanoClaw: its OneCLI vault. */
  readonly onecli?: { readonly url: string; readonly apiKey?: SecretRef };
}

/** One enabled MimiClaw device, references resolved. */
export interface DeviceSpec extends Omit<DeviceConfig, "provider" | "channel"> {
  readonly name: string;
  readonly provider: NamedProvider;
  readonly channel?: NamedChannel;
}

/** A Docker engine of the fleet. */
export interface HostSpec {
  readonly dockerHost: string;
  /** The group of its Docker socket, when the config names it. */
  readonly dockerSocketGid?: number;
}

/** The whole checked fleet. */
export interface FleetSpec {
  readonly name: string;
  readonly registry: string;
  readonly hosts: Readonly<Record<string, HostSpec>>;
  readonly runtimes: readonly RuntimeSpec[];
  readonly devices: readonly DeviceSpec[];
  /** Every secret reference an enabled runtime or device uses, by config path. */
  readonly secretRefs: readonly { readonly path: string; readonly ref: SecretRef }[];
  /** Every Pulumi config key any `{ secret = ... }` in the file names, used or not. */
  readonly secretConfigKeys: ReadonlySet<string>;
}

/** Provider types the MimiClaw console accepts (`set_model_provider`). */
const DEVICE_PROVIDER_TYPES = ["anthropic", "openai"] as const;

/** The value at a path of the parsed document, or undefined. */
function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) => (typeof node === "object" && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    document,
  );
}

/** Turns zod's issues into path-named ones, with unknown keys spelled out one by one. */
function schemaIssues(error: z.ZodError, document: unknown): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === "unrecognized_keys") {
      const message = joinPath(issue.path) === "runtimes" ? `unknown runtime; known: ${RUNTIME_NAMES.join(", ")}` : "unknown key";
      return issue.keys.map((key) => ({ path: joinPath([...issue.path, key]), message }));
    }
    if (issue.code === "invalid_type" && valueAt(document, issue.path) === undefined) {
      return [{ path: joinPath(issue.path), message: "is required" }];
    }
    return [{ path: joinPath(issue.path), message: issue.message }];
  });
}

/**
 * Checks a parsed document (the TOML as a plain object) and returns the fleet spec.
 * @param source the file name, for the error heading
 * @throws ConfigError listing every problem
 */
export function validateCanonical(document: unknown, source: string): FleetSpec {
  const parsed = canonicalSchema.safeParse(document);
  if (!parsed.success) throw new ConfigError(source, schemaIssues(parsed.error, document));
  const issues: ConfigIssue[] = [];
  const spec = crossCheck(parsed.data, issues);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return spec;
}

/** The checks that span fields; pushes problems onto `issues`. */
function crossCheck(config: Canonical, issues: ConfigIssue[]): FleetSpec {
  const problem = (path: string, message: string) => issues.push({ path, message });
  const secretRefs: { path: string; ref: SecretRef }[] = [];

  for (const [name, provider] of Object.entries(config.providers)) {
    if (provider.type === "custom" && !provider.base_url) {
      problem(`providers.${name}.base_url`, 'is required for type "custom"');
    }
    if (provider.type !== "ollama" && !provider.api_key) {
      problem(`providers.${name}.api_key`, `is required for type "${provider.type}"`);
    }
  }

  const lookupProvider = (path: string, ref: string): NamedProvider | undefined => {
    const provider = config.providers[ref];
    if (!provider) problem(path, `no provider "${ref}" in [providers]`);
    return provider && { ...provider, name: ref };
  };
  const lookupChannel = (path: string, ref: string): NamedChannel | undefined => {
    const channel = config.channels[ref];
    if (!channel) problem(path, `no channel "${ref}" in [channels]`);
    return channel && { ...channel, name: ref };
  };
  const lookupHost = (path: string, ref: string) => {
    if (!config.hosts[ref]) problem(path, `no host "${ref}" in [hosts]`);
  };

  /** Who uses each channel, and each host port, among enabled runtimes and devices. */
  const channelUsers = new Map<string, string>();
  const claimChannel = (path: string, channel: string, user: string) => {
    const other = channelUsers.get(channel);
    if (other) problem(path, `channel "${channel}" is already used by ${other}; a bot token can serve one runtime`);
    else channelUsers.set(channel, user);
  };
  const portUsers = new Map<string, string>();
  const claimPort = (path: string, host: string, port: number, user: string) => {
    const other = portUsers.get(`${host}:${port}`);
    if (other) problem(path, `${port} on host "${host}" is already taken by ${other}`);
    else portUsers.set(`${host}:${port}`, user);
  };

  const runtimes: RuntimeSpec[] = [];
  for (const declaration of declarations) {
    const runtime = config.runtimes[declaration.name];
    if (!runtime) continue;
    const at = `runtimes.${declaration.name}`;
    const provider = lookupProvider(`${at}.provider`, runtime.provider);
    if (provider && !declaration.providers.includes(provider.type)) {
      problem(
        `${at}.provider`,
        `${declaration.name} cannot use provider type "${provider.type}" (supported: ${declaration.providers.join(", ")})`,
      );
    }
    const baseUrlTypes = declaration.providerBaseUrl ?? declaration.providers;
    if (provider?.base_url && declaration.providers.includes(provider.type) && !baseUrlTypes.includes(provider.type)) {
      problem(
        `${at}.provider`,
        `${declaration.name} would ignore the base_url of provider "${runtime.provider}" (type ${provider.type}); it takes one only for ${baseUrlTypes.join(", ") || "no provider type"}`,
      );
    }
    lookupHost(`${at}.host`, runtime.host);
    const channels = runtime.channels.flatMap((ref, i) => {
      const channel = lookupChannel(`${at}.channels.${i}`, ref);
      if (!channel) return [];
      if (!declaration.channels.includes(channel.type)) {
        problem(
          `${at}.channels.${i}`,
          `${declaration.name} does not support ${channel.type} channels (supported: ${declaration.channels.join(", ") || "none"})`,
        );
      }
      if (declaration.emptyAllowListIsOpen && channel.allowed_users.length === 0) {
        problem(
          `${at}.channels.${i}`,
          `channel "${ref}" has no allowed_users, and ${declaration.name} would then answer everyone; list the users allowed in`,
        );
      }
      if (runtime.enabled) claimChannel(`${at}.channels.${i}`, ref, declaration.name);
      return [channel];
    });
    if (runtime.database_url && declaration.name !== "ironclaw") {
      problem(`${at}.database_url`, "only ironclaw takes a database_url");
    }
    for (const key of ["docker_socket", "agent_docker_host", "onecli_url", "onecli_api_key"] as const) {
      if (runtime[key] !== undefined && declaration.name !== "nanoclaw") problem(`${at}.${key}`, `only nanoclaw takes ${key}`);
    }
    if (declaration.name === "nanoclaw" && runtime.enabled) {
      if (runtime.docker_socket && runtime.agent_docker_host) {
        problem(`${at}.docker_socket`, "set either docker_socket or agent_docker_host, not both");
      } else if (!runtime.docker_socket && !runtime.agent_docker_host) {
        problem(
          at,
          "nanoclaw spawns its agents through a Docker API: set agent_docker_host to a dedicated engine " +
            "(recommended) or docker_socket = true (mounts the host socket: root on the host)",
        );
      }
      if (!runtime.onecli_url) {
        problem(
          `${at}.onecli_url`,
          "nanoclaw's agents take their credentials from a OneCLI vault: name it (https://app.onecli.sh is the hosted one)",
        );
      }
    }
    const port = runtime.port ?? declaration.port;
    if (runtime.enabled) claimPort(`${at}.port`, runtime.host, port, declaration.name);
    if (!runtime.enabled || !provider) continue;
    const version = runtime.version ?? declaration.defaultVersion;
    if (provider.api_key) secretRefs.push({ path: `providers.${provider.name}.api_key`, ref: provider.api_key });
    for (const channel of channels) collectChannelSecrets(channel, secretRefs);
    if (runtime.database_url) secretRefs.push({ path: `${at}.database_url`, ref: runtime.database_url });
    if (runtime.onecli_api_key) secretRefs.push({ path: `${at}.onecli_api_key`, ref: runtime.onecli_api_key });
    runtimes.push({
      name: declaration.name,
      declaration,
      version,
      revision: runtime.revision ?? (version === declaration.defaultVersion ? (declaration.defaultRevision ?? "") : ""),
      provider,
      model: runtime.model,
      channels,
      host: runtime.host,
      port,
      memoryMiB: runtime.memory_mb ?? declaration.memoryMiB,
      tokenRotation: runtime.token_rotation,
      databaseUrl: runtime.database_url,
      dockerSocket: runtime.docker_socket ?? false,
      agentDockerHost: runtime.agent_docker_host,
      onecli: runtime.onecli_url ? { url: runtime.onecli_url, apiKey: runtime.onecli_api_key } : undefined,
    });
  }

  const devices: DeviceSpec[] = [];
  for (const [name, device] of Object.entries(config.devices)) {
    const at = `devices.${name}`;
    const provider = lookupProvider(`${at}.provider`, device.provider);
    if (provider && !(DEVICE_PROVIDER_TYPES as readonly string[]).includes(provider.type)) {
      problem(`${at}.provider`, `mimiclaw cannot use provider type "${provider.type}" (supported: anthropic, openai)`);
    }
    lookupHost(`${at}.host`, device.host);
    const channel = device.channel === undefined ? undefined : lookupChannel(`${at}.channel`, device.channel);
    if (channel && channel.type !== "telegram") {
      problem(`${at}.channel`, `mimiclaw does not support ${channel.type} channels (supported: telegram)`);
    }
    if (device.enabled && device.channel && channel) claimChannel(`${at}.channel`, device.channel, `device ${name}`);
    if (device.enabled && device.bridge_port !== undefined) {
      claimPort(`${at}.bridge_port`, device.host, device.bridge_port, `device ${name}`);
    }
    if (!device.enabled || !provider) continue;
    secretRefs.push({ path: `${at}.wifi_ssid`, ref: device.wifi_ssid });
    secretRefs.push({ path: `${at}.wifi_password`, ref: device.wifi_password });
    if (provider.api_key) secretRefs.push({ path: `providers.${provider.name}.api_key`, ref: provider.api_key });
    if (channel) collectChannelSecrets(channel, secretRefs);
    devices.push({ ...device, name, provider, channel });
  }

  return {
    name: config.fleet.name,
    registry: config.fleet.registry,
    hosts: Object.fromEntries(
      Object.entries(config.hosts).map(([k, v]) => [k, { dockerHost: v.docker_host, dockerSocketGid: v.docker_socket_gid }]),
    ),
    runtimes,
    devices,
    secretRefs: dedupe(secretRefs),
    secretConfigKeys: new Set(findSecretKeys(config)),
  };
}

/** The config keys of every `{ secret = ... }` reference anywhere in the parsed config. */
function findSecretKeys(node: unknown): string[] {
  if (typeof node !== "object" || node === null) return [];
  const record = node as Record<string, unknown>;
  if (Object.keys(record).length === 1 && typeof record.secret === "string") return [record.secret];
  return Object.values(record).flatMap(findSecretKeys);
}

/** Adds a channel's secret references. */
function collectChannelSecrets(channel: NamedChannel, into: { path: string; ref: SecretRef }[]) {
  into.push({ path: `channels.${channel.name}.bot_token`, ref: channel.bot_token });
  if (channel.type === "slack") into.push({ path: `channels.${channel.name}.app_token`, ref: channel.app_token });
}

/** Keeps the first reference per path (a provider shared by runtimes is listed once). */
function dedupe<T extends { path: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.path) && seen.add(item.path));
}
