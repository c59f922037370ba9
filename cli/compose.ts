/**
 * `clawlab compose`, the Compose file: `docker-compose.fleet.yml` made from the checked
 * config, the runtime declarations and the container descriptions the Pulumi components
 * use (components/container-settings.ts), so a fleet started with Compose runs hardened
 * the same way as one deployed with `pulumi up`. Pure: no file access, no secret value —
 * the file names the env files (cli/compose-env.ts) that carry the environment.
 *
 * The YAML is emitted by hand, deterministically (same config, same bytes): every string
 * double-quoted, so neither PyYAML (Compose v1) nor Go's YAML (Compose v2) reads a value
 * as a number, a boolean or a sexagesimal; every `$` doubled except in the one reference
 * meant to be interpolated (the registry).
 */
import type { FleetSpec, RuntimeSpec } from "../components/config/validate";
import {
  type ContainerSettings,
  HOST_DOCKER_SOCKET,
  ironclawDatabase,
  runtimeContainer,
  seconds,
} from "../components/container-settings";

/** The file's name in the output directory. */
export const COMPOSE_FILE = "docker-compose.fleet.yml";
/** The env files' folder in the output directory (mode 0700, git-ignored). */
export const ENV_DIR = ".clawlab";
/** Overrides the config's registry in the image references, e.g. for local images. */
export const REGISTRY_VARIABLE = "CLAWLAB_REGISTRY";
/** The group of the host's Docker socket, which NanoClaw's user needs when it mounts it. */
export const DOCKER_GID_VARIABLE = "CLAWLAB_DOCKER_GID";
/** The service of IronClaw's managed PostgreSQL sidecar. */
export const DATABASE_SERVICE = "ironclaw-db";

/** A service's env file, relative to the Compose file. */
export function envFilePath(service: string): string {
  return `${ENV_DIR}/${service}.env`;
}

/** The Compose services of a runtime: itself, and IronClaw's sidecar unless the config names an external database. */
export function servicesOf(runtime: RuntimeSpec): string[] {
  return runtime.name === "ironclaw" && !runtime.databaseUrl ? [runtime.name, DATABASE_SERVICE] : [runtime.name];
}

/** What the file needs besides the config. */
export interface ComposeOptions {
  /** The config file as the user named it (header and regeneration command). */
  readonly configFile: string;
  /** The host whose runtimes the file holds, when the user had to pick one (`--host`). */
  readonly host?: string;
  /** `runtimes/` relative to the Compose file's folder (the build context). */
  readonly buildContext: string;
}

/** A YAML value of the document. `undefined` members are left out. */
type Yaml = string | number | boolean | Interpolated | readonly Yaml[] | { readonly [key: string]: Yaml | undefined };

/** A string Compose must interpolate (the only place a `$` stays single). */
class Interpolated {
  constructor(readonly text: string) {}
}

/**
 * The whole Compose file for the given runtimes of the fleet.
 * @param runtimes the enabled runtimes of one host, in the fleet's order
 */
export function renderCompose(spec: FleetSpec, runtimes: readonly RuntimeSpec[], options: ComposeOptions): string {
  return `${header(spec, runtimes, options).map((line) => (line ? `# ${line}` : "#")).join("\n")}\n${emit(composeDocument(spec, runtimes, options), 0)}`;
}

/** The document as plain data (services, volumes, networks). */
function composeDocument(spec: FleetSpec, runtimes: readonly RuntimeSpec[], options: ComposeOptions): Yaml {
  const services: Record<string, Yaml> = {};
  const volumes: Record<string, Yaml> = {};
  const networks: Record<string, Yaml> = {};
  for (const runtime of runtimes) {
    const settings = runtimeContainer(runtime.declaration, {
      fleet: spec.name,
      version: runtime.version,
      memoryMiB: runtime.memoryMiB,
      managedBy: "compose",
      dockerSocket: runtime.dockerSocket,
      providerUrl: runtime.provider.base_url,
    });
    const volume = `${runtime.name}-state`;
    volumes[volume] = { name: settings.volume.name, labels: labelMap(settings) };
    const sidecar = servicesOf(runtime).includes(DATABASE_SERVICE);
    services[runtime.name] = {
      image: new Interpolated(`\${${REGISTRY_VARIABLE}:-${spec.registry}}/${runtime.name}:${runtime.version}`),
      // Images nobody pushed build from this repository, with the build args `pulumi up` passes.
      build: {
        context: options.buildContext,
        dockerfile: `${runtime.name}/Dockerfile`,
        args: { VERSION: runtime.version, REVISION: runtime.revision },
      },
      container_name: settings.name,
      hostname: settings.hostname,
      env_file: [envFilePath(runtime.name)],
      ports: [`${settings.port.hostIp}:${runtime.port}:${settings.port.internal}/${settings.port.protocol}`],
      volumes: [`${volume}:${settings.volume.target}`, ...(settings.dockerSocket ? [`${settings.dockerSocket}:${settings.dockerSocket}`] : [])],
      // The socket is root:docker 0660: the runtime user needs its group, whose id only the host knows:
      // the host's docker_socket_gid, else the variable. Without either the default (the runtime's own
      // gid) adds nothing, and the runtime then refuses to start, saying why.
      group_add: settings.dockerSocket
        ? [new Interpolated(`\${${DOCKER_GID_VARIABLE}:-${spec.hosts[runtime.host]?.dockerSocketGid ?? runtime.declaration.user.uid}}`)]
        : undefined,
      extra_hosts: settings.extraHosts && Object.entries(settings.extraHosts).map(([host, ip]) => `${host}:${ip}`),
      networks: sidecar ? ["default", DATABASE_SERVICE] : undefined,
      depends_on: sidecar ? { [DATABASE_SERVICE]: { condition: "service_healthy" } } : undefined,
      read_only: settings.readOnlyRootFilesystem,
      tmpfs: settings.tmpfs && Object.entries(settings.tmpfs).map(([path, mountOptions]) => `${path}:${mountOptions}`),
      stop_grace_period: seconds(settings.stopTimeoutSeconds),
      ...common(settings),
    };
    if (sidecar) {
      const db = ironclawDatabase(spec.name, "compose");
      services[DATABASE_SERVICE] = {
        image: db.image,
        container_name: db.name,
        environment: db.env,
        // POSTGRES_PASSWORD, generated once and kept (cli/compose-env.ts).
        env_file: [envFilePath(DATABASE_SERVICE)],
        networks: { [DATABASE_SERVICE]: { aliases: [db.network.alias] } },
        volumes: [`${DATABASE_SERVICE}:${db.volume.target}`],
        ...common(db),
      };
      volumes[DATABASE_SERVICE] = { name: db.volume.name, labels: labelMap(db) };
      // Internal: the database needs no way out, and only IronClaw gets in.
      networks[DATABASE_SERVICE] = { name: db.network.name, internal: true, labels: labelMap(db) };
    }
  }
  return {
    services,
    volumes,
    networks: Object.keys(networks).length > 0 ? networks : undefined,
  };
}

/** The settings runtimes and the sidecar share, as Compose keys. */
function common(settings: ContainerSettings): Record<string, Yaml> {
  const health = settings.healthcheck;
  return {
    user: settings.user,
    cap_drop: settings.capDrop,
    restart: settings.restart,
    healthcheck: {
      test: health.test,
      interval: seconds(health.intervalSeconds),
      timeout: seconds(health.timeoutSeconds),
      retries: health.retries,
      start_period: seconds(health.startPeriodSeconds),
    },
    security_opt: settings.securityOpts,
    mem_limit: `${settings.memoryMiB}m`,
    memswap_limit: `${settings.memoryMiB}m`,
    logging: { driver: settings.log.driver, options: settings.log.options },
    labels: labelMap(settings),
  };
}

function labelMap(settings: ContainerSettings): Record<string, string> {
  return Object.fromEntries(settings.labels.map((l) => [l.label, l.value]));
}

/** The header comment: what made the file, how to make it again, how to run it. */
function header(spec: FleetSpec, runtimes: readonly RuntimeSpec[], options: ComposeOptions): string[] {
  const command = `npx clawlab compose --config ${shellWord(options.configFile)}${options.host ? ` --host ${options.host}` : ""}`;
  const socket = runtimes.filter((r) => r.dockerSocket).map((r) => r.name);
  const lines = [
    `ClawLab fleet "${spec.name}" for Docker Compose, generated by \`clawlab compose\` from ${options.configFile}${options.host ? ` (host ${options.host})` : ""}.`,
    "Do not edit: change the config and regenerate. This file only (no secrets needed):",
    `  ${command} --no-env-files`,
    "This file and the env files it reads, .clawlab/<service>.env (mode 0600, git-ignored: the",
    "secrets the config references, and tokens generated once and kept on every later run):",
    `  ${command}`,
    "",
    "Run (Compose v2, or Debian's docker-compose 1.29 without --wait):",
    `  docker compose -f ${COMPOSE_FILE} up -d --wait`,
    `  docker compose -f ${COMPOSE_FILE} down        # state volumes are kept; down -v deletes them`,
    "",
    `Images: \${${REGISTRY_VARIABLE}:-${spec.registry}}/<runtime>:<version>, the tags \`pulumi up\` pushes.`,
    `Set ${REGISTRY_VARIABLE} to use another registry. Where no image was pushed, \`up\` builds it from`,
    "runtimes/ with the pinned VERSION and REVISION (BuildKit: DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1",
    "for Compose v1); `docker compose pull` fetches published ones first.",
    "",
    "Every container runs as `pulumi up` runs it (components/container-settings.ts): its non-root",
    "uid, all capabilities dropped, no-new-privileges, a read-only root with a /tmp tmpfs where the",
    "runtime allows it, a memory limit, the image's health probe, restart unless-stopped, rotated",
    "logs, a named state volume, and ClawLab labels (dev.clawlab.managed-by=compose).",
  ];
  if (runtimes.some((r) => servicesOf(r).includes(DATABASE_SERVICE))) {
    lines.push("IronClaw starts once its PostgreSQL sidecar is healthy; the two share a private internal network.");
  }
  if (socket.length > 0) {
    lines.push(
      `${socket.join(", ")} mount${socket.length === 1 ? "s" : ""} the host's Docker socket (docker_socket = true): root on the host for`,
      "whoever steers its agents. Its user needs the socket's group:",
      `  export ${DOCKER_GID_VARIABLE}=$(stat -c %g ${HOST_DOCKER_SOCKET})`,
    );
  }
  return lines;
}

/** A path as a shell word: bare when it holds nothing a shell would expand or split. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------- YAML

/** Keys YAML 1.1 (PyYAML, Compose v1) would read as something other than a string. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const YAML11_WORDS = /^(?:y|n|yes|no|on|off|true|false|null)$/i;

function key(name: string): string {
  return PLAIN_KEY.test(name) && !YAML11_WORDS.test(name) ? name : JSON.stringify(name);
}

/** A scalar: strings double-quoted (JSON's escapes are YAML's), `$` doubled for Compose unless interpolated. */
function scalar(value: string | number | boolean | Interpolated): string {
  if (value instanceof Interpolated) return JSON.stringify(value.text);
  if (typeof value === "string") return JSON.stringify(value.replace(/\$/g, "$$$$"));
  return String(value);
}

function isScalar(value: Yaml): value is string | number | boolean | Interpolated {
  return typeof value !== "object" || value instanceof Interpolated;
}

/** Block-style YAML of a mapping or sequence at an indent; scalar sequences stay on one line. */
function emit(value: Yaml, indent: number): string {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    return value.map((item: Yaml) => (isScalar(item) ? `${pad}- ${scalar(item)}\n` : `${pad}-\n${emit(item, indent + 2)}`)).join("");
  }
  let out = "";
  for (const [name, member] of Object.entries(value as Record<string, Yaml | undefined>)) {
    if (member === undefined) continue;
    if (isScalar(member)) out += `${pad}${key(name)}: ${scalar(member)}\n`;
    else if (Array.isArray(member) && member.every(isScalar)) out += `${pad}${key(name)}: [${member.map(scalar).join(", ")}]\n`;
    else if (Object.keys(member).length === 0) out += `${pad}${key(name)}: ${Array.isArray(member) ? "[]" : "{}"}\n`;
    else out += `${pad}${key(name)}:\n${emit(member, indent + 2)}`;
  }
  return out;
}
