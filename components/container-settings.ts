/**
 * What a fleet container is, whoever creates it: the Pulumi components (claw-runtime.ts,
 * ironclaw.ts) and `clawlab compose` (cli/compose.ts) both read these descriptions, so the
 * hardening, the health gate and the names are written once. Pure data and functions: no
 * Pulumi, no Docker client, so the CLI loads it without the SDK.
 */
import { IMAGE_HEALTH_COMMAND } from "../runtimes/image";
import type { RuntimeDeclaration } from "../runtimes/types";
import { PINNED_IMAGES } from "./pinned-images";

/** Who created a resource: the value of its `dev.clawlab.managed-by` label. */
export type ManagedBy = "pulumi" | "compose";

/** One label, in the `{ label, value }` form the Pulumi Docker provider takes. */
export interface FleetLabel {
  readonly label: string;
  readonly value: string;
}

/** Labels on every resource the fleet creates, so `docker ps --filter` finds them. */
export function fleetLabels(fleet: string, role: string, version: string, managedBy: ManagedBy = "pulumi"): FleetLabel[] {
  return [
    { label: "dev.clawlab.fleet", value: fleet },
    { label: "dev.clawlab.role", value: role },
    { label: "dev.clawlab.version", value: version },
    { label: "dev.clawlab.managed-by", value: managedBy },
  ];
}

/** A container health probe; durations in seconds. */
export interface HealthcheckSettings {
  /** Exec form, `CMD` first (no shell in between). */
  readonly test: readonly string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  /** Failures in this window do not count: the runtime is still starting. */
  readonly startPeriodSeconds: number;
}

/**
 * A duration as Docker's provider reads it back (Go's time.Duration: `10s`, `1m0s`,
 * `1m30s`, `1h0m0s`), so a plan never sees `60s` → `1m0s` as a change; Compose reads it too.
 */
export function seconds(value: number): string {
  const h = Math.floor(value / 3600);
  const m = Math.floor((value % 3600) / 60);
  const s = value % 60;
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

/** Log rotation of every fleet container: a runtime that loops on an error cannot fill the disk. */
export const CONTAINER_LOG = { driver: "json-file", options: { "max-size": "10m", "max-file": "3" } } as const;

/** A named volume and where it is mounted. */
export interface VolumeMount {
  readonly name: string;
  readonly target: string;
}

/** What every fleet container has, runtime or sidecar. */
export interface ContainerSettings {
  /** Container name on its host. */
  readonly name: string;
  readonly restart: "unless-stopped";
  /** `uid:gid`, never root. */
  readonly user: string;
  readonly capDrop: readonly string[];
  readonly healthcheck: HealthcheckSettings;
  /** How long a readiness gate (Pulumi's `wait`) waits for `healthy`. */
  readonly readyTimeoutSeconds: number;
  readonly securityOpts: readonly string[];
  /**
   * Memory limit; swap is capped at the same value (memory+swap = memory: no swap), so the
   * limit cannot be dodged by swapping, and the provider's read-back (twice the memory when
   * unset) is no change on every plan.
   */
  readonly memoryMiB: number;
  readonly log: typeof CONTAINER_LOG;
  readonly labels: readonly FleetLabel[];
  /** The one named volume; it outlives the container (and a Pulumi stack). */
  readonly volume: VolumeMount;
}

/** A claw runtime's container. */
export interface RuntimeContainerSettings extends ContainerSettings {
  /** Stable: OpenClaw ties its state lease to it, so a replaced container must come back under the same name. */
  readonly hostname: string;
  /** Runtimes close channel connections on stop; Docker's 10 s default cuts some short. */
  readonly stopTimeoutSeconds: number;
  readonly readOnlyRootFilesystem: boolean;
  /** Writable scratch space on a read-only root; undefined when the root is writable. */
  readonly tmpfs?: Readonly<Record<string, string>>;
  /** The runtime's port inside the container and the host address it is published on. */
  readonly port: { readonly internal: number; readonly hostIp: string; readonly protocol: "tcp" };
  /** The host's Docker socket, bind-mounted at the same path, when the config opts in (NanoClaw's `docker_socket`). */
  readonly dockerSocket?: string;
  /** Names resolved without DNS (`/etc/hosts`): name → address, `host-gateway` meaning the engine's host. */
  readonly extraHosts?: Readonly<Record<string, string>>;
}

/**
 * The name Docker Desktop gives the machine the engine runs on; a Linux engine resolves it
 * only when told to (`host-gateway`). A provider there (an Ollama beside Docker) is reached by it.
 */
export const HOST_GATEWAY_NAME = "host.docker.internal";

/** True when a provider URL points at the engine's own machine by {@link HOST_GATEWAY_NAME}. */
export function reachesHostGateway(url: string | undefined): boolean {
  return url !== undefined && URL.canParse(url) && new URL(url).hostname === HOST_GATEWAY_NAME;
}

/** Every fleet container runs with this: no setuid binary or file capability can raise privileges. */
export const NO_NEW_PRIVILEGES = ["no-new-privileges:true"] as const;
/** Every fleet container drops every capability: none of them needs one. */
export const CAP_DROP = ["ALL"] as const;

/**
 * A runtime's container from its declaration.
 * @param memoryMiB the config's limit; default the declaration's
 * @param providerUrl its provider's base URL: naming host.docker.internal maps that name to the engine's host
 */
export function runtimeContainer(
  decl: RuntimeDeclaration,
  options: { fleet: string; version: string; memoryMiB?: number; managedBy?: ManagedBy; dockerSocket?: boolean; providerUrl?: string },
): RuntimeContainerSettings {
  const name = `${options.fleet}-${decl.name}`;
  const labels = fleetLabels(options.fleet, decl.name, options.version, options.managedBy);
  // Root on the host, so said out loud where a policy (policy/) and `docker ps` can see it.
  if (options.dockerSocket) labels.push(DOCKER_SOCKET_OPT_IN_LABEL);
  const startPeriodSeconds = decl.health.startPeriodSeconds;
  return {
    name,
    hostname: name,
    restart: "unless-stopped",
    healthcheck: { test: ["CMD", IMAGE_HEALTH_COMMAND], intervalSeconds: 10, timeoutSeconds: 5, retries: 3, startPeriodSeconds },
    // The start period plus a minute of probes: long enough for a slow first start, short enough to fail a deploy.
    readyTimeoutSeconds: startPeriodSeconds + 60,
    securityOpts: NO_NEW_PRIVILEGES,
    memoryMiB: options.memoryMiB ?? decl.memoryMiB,
    log: CONTAINER_LOG,
    labels,
    volume: { name: `${options.fleet}-${decl.name}-state`, target: decl.stateDir },
    user: `${decl.user.uid}:${decl.user.uid}`,
    stopTimeoutSeconds: 30,
    capDrop: CAP_DROP,
    readOnlyRootFilesystem: decl.readOnlyRootFilesystem,
    tmpfs: decl.readOnlyRootFilesystem ? { "/tmp": "rw,noexec,nosuid,size=64m" } : undefined,
    port: { internal: decl.port, hostIp: "0.0.0.0", protocol: "tcp" },
    dockerSocket: options.dockerSocket ? HOST_DOCKER_SOCKET : undefined,
    extraHosts: reachesHostGateway(options.providerUrl) ? { [HOST_GATEWAY_NAME]: "host-gateway" } : undefined,
  };
}

/** The host's Docker socket, which NanoClaw may opt in to (`docker_socket = true`). */
export const HOST_DOCKER_SOCKET = "/var/run/docker.sock";

/** Marks a container that mounts the host's Docker socket by the config's explicit choice. */
export const DOCKER_SOCKET_OPT_IN_LABEL: FleetLabel = { label: "dev.clawlab.docker-socket", value: "opt-in" };

/** IronClaw's managed PostgreSQL (pgvector) sidecar. */
export interface DatabaseSidecarSettings extends ContainerSettings {
  /** The pinned image, by digest. */
  readonly image: string;
  /**
   * The image's `postgres` user (uid and gid 999, from the official postgres image). Its
   * entrypoint supports a non-root user: it chowns and steps down only when started as root,
   * and PGDATA ships owned by 999 (mode 1777), which a new named volume inherits.
   */
  readonly uid: number;
  /** The private network it shares with IronClaw only, and its alias there. */
  readonly network: { readonly name: string; readonly alias: string };
  readonly database: { readonly name: string; readonly user: string; readonly port: number };
  /** The non-secret part of its environment (the password travels apart). */
  readonly env: Readonly<Record<string, string>>;
  /** Length of the generated password (letters and digits only, so it needs no escaping in a URL). */
  readonly passwordLength: number;
  /** IronClaw's connection URL as parts around the password, which stays a secret of any type. */
  url<S>(password: S): [string, S, string];
}

/** The sidecar of a fleet's IronClaw. */
export function ironclawDatabase(fleet: string, managedBy: ManagedBy = "pulumi"): DatabaseSidecarSettings {
  const database = { name: "ironclaw", user: "ironclaw", port: 5432 } as const;
  const name = `${fleet}-ironclaw-db`;
  const uid = 999;
  return {
    name,
    image: PINNED_IMAGES.postgres,
    uid,
    user: `${uid}:${uid}`,
    capDrop: CAP_DROP,
    restart: "unless-stopped",
    healthcheck: {
      test: ["CMD", "pg_isready", "-U", database.user, "-d", database.name],
      intervalSeconds: 5,
      timeoutSeconds: 3,
      retries: 10,
      startPeriodSeconds: 10,
    },
    readyTimeoutSeconds: 120,
    securityOpts: NO_NEW_PRIVILEGES,
    memoryMiB: 512,
    log: CONTAINER_LOG,
    labels: fleetLabels(fleet, "ironclaw-db", "pg16", managedBy),
    volume: { name, target: "/var/lib/postgresql/data" },
    network: { name: `${fleet}-ironclaw`, alias: "db" },
    database,
    env: { POSTGRES_USER: database.user, POSTGRES_DB: database.name },
    passwordLength: 32,
    // The container name resolves on the private network; no TLS there, so none is asked for.
    url: (password) => [
      `postgres://${database.user}:`,
      password,
      `@${name}:${database.port}/${database.name}?sslmode=disable`,
    ],
  };
}
