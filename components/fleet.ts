import * as docker from "@pulumi/docker";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as fs from "node:fs";
import * as path from "node:path";
import { translators } from "../runtimes";
import { ClawRuntime, type ClawRuntimeArgs } from "./claw-runtime";
import { ConfigError, type ConfigIssue, type FleetSpec, type RuntimeSpec, type SecretResolver } from "./config";
import { runtimeSettings } from "./config/runtime-settings";
import { HOST_DOCKER_SOCKET } from "./container-settings";
import { IronClaw } from "./ironclaw";
import { MimiClaw } from "./mimiclaw";
import { buildCache, type ImageBuildSettings, LocalRegistry } from "./registry";

/** Where images go: the dev stack's own loopback registry, or a remote one such as GHCR. */
export type RegistryTarget =
  | { readonly kind: "local"; readonly port: number }
  | {
      readonly kind: "remote";
      /** Repository prefix, e.g. `ghcr.io/owner`. */
      readonly registry: string;
      readonly username?: string;
      readonly password?: pulumi.Output<string>;
    };

export interface FleetArgs {
  /** The checked canonical config. */
  spec: FleetSpec;
  /** Resolves the config's secret references to secret Outputs. */
  secrets: SecretResolver;
  /** Where images are pushed. */
  registry: RegistryTarget;
  /** Build cache mode; default `inline` for a local registry, `registry` otherwise. */
  buildCache?: ImageBuildSettings["cache"];
  /** Target platforms; default the builder's own. */
  platforms?: ImageBuildSettings["platforms"];
  /** Extra build args of the runtime images (base and toolchain images from a mirror); default none. */
  buildArgs?: ImageBuildSettings["buildArgs"];
}

/** What the stack exports per MimiClaw device. */
export interface DeviceOutputs {
  readonly bridgeContainerName: pulumi.Output<string>;
  readonly brokerContainerName: pulumi.Output<string>;
  readonly healthUrl: pulumi.Output<string>;
  readonly topics: Record<string, string>;
}

/** The repository root: the bridge image is built from it (its Dockerfile.dockerignore keeps the context small). */
const REPO_ROOT = path.join(__dirname, "..");
/** The bridge's version, which is this repository's. */
const BRIDGE_VERSION: string = require("../package.json").version;

/** What the stack exports per runtime. */
export interface RuntimeOutputs {
  readonly imageRef: pulumi.Output<string>;
  readonly containerName: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  /** Undefined for a runtime without an HTTP health endpoint (its container health still gates). */
  readonly healthUrl?: pulumi.Output<string>;
}

/** The address clients use for a host: loopback for a local socket, else the host's name. */
export function hostAddress(dockerHost: string): string {
  if (dockerHost.startsWith("unix://")) return "localhost";
  const url = new URL(dockerHost);
  return url.hostname;
}

/**
 * The whole fleet: one Docker provider per host, the registry and its credentials set up
 * once, and every enabled runtime on its host.
 */
export class Fleet extends pulumi.ComponentResource {
  /** Per runtime: image ref with digest, container name, URL, health URL. */
  public readonly runtimes: Record<string, RuntimeOutputs>;
  /** Generated client tokens per runtime (secret). */
  public readonly tokens: Record<string, Record<string, pulumi.Output<string>>>;
  /** Per MimiClaw device: bridge and broker containers, bridge health URL, MQTT topics. */
  public readonly devices: Record<string, DeviceOutputs>;
  /** Where the images were pushed. */
  public readonly registry: string;

  constructor(name: string, args: FleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawlab:fleet:Fleet", name, {}, opts);
    const { spec } = args;
    // Checked before any resource is registered: a config problem deploys nothing.
    const socketGroups = dockerSocketGroups(spec);
    for (const warning of socketGroups.warnings) pulumi.log.warn(warning, this);

    const credentials =
      args.registry.kind === "remote" && args.registry.username && args.registry.password
        ? {
            address: args.registry.registry.split("/")[0]!,
            username: args.registry.username,
            password: args.registry.password,
          }
        : undefined;
    const providers = Object.fromEntries(
      Object.entries(spec.hosts).map(([host, { dockerHost }]) => [
        host,
        new docker.Provider(
          `${name}-host-${host}`,
          {
            host: dockerHost,
            registryAuth: credentials ? [credentials] : undefined,
            sshOpts: dockerHost.startsWith("ssh://") ? ["-o", "BatchMode=yes"] : undefined,
          },
          { parent: this },
        ),
      ]),
    );

    let build: ImageBuildSettings;
    let pushDependsOn: pulumi.Resource[] = [];
    if (args.registry.kind === "local") {
      const localHost = Object.keys(spec.hosts).find((h) => spec.hosts[h]!.dockerHost.startsWith("unix://"));
      const registry = new LocalRegistry(
        `${name}-registry`,
        { provider: providers[localHost ?? "local"]!, fleet: spec.name, port: args.registry.port },
        { parent: this },
      );
      build = { registry: `${registry.address}/${spec.name}`, cache: args.buildCache ?? "inline", platforms: args.platforms, buildArgs: args.buildArgs };
      pushDependsOn = [registry.container];
    } else {
      build = { registry: args.registry.registry, credentials, cache: args.buildCache ?? "registry", platforms: args.platforms, buildArgs: args.buildArgs };
    }
    this.registry = build.registry;

    this.runtimes = {};
    this.tokens = {};
    // One secret seed for every generated token (components/tokens.ts): a token is not worth a resource of its own.
    const tokenSeed = spec.runtimes.some((r) => r.declaration.generatedSecrets.some((s) => !s.encryptsData))
      ? pulumi.secret(new random.RandomPassword(`${name}-token-seed`, { length: 64, special: false }, { parent: this }).result)
      : undefined;
    for (const runtime of spec.runtimes) {
      // Only builds that check a commit (a git tag) can be pinned by one; others pin by lockfile.
      if (!runtime.revision && runtime.declaration.defaultRevision !== undefined) {
        pulumi.log.warn(
          `${runtime.name} ${runtime.version}: no commit to check the tag against; set runtimes.${runtime.name}.revision to pin it`,
          this,
        );
      }
      const runtimeArgs: ClawRuntimeArgs = {
        declaration: runtime.declaration,
        translate: translators[runtime.name],
        settings: runtimeSettings(runtime, (_, ref) => args.secrets(ref)),
        fleet: spec.name,
        version: runtime.version,
        revision: runtime.revision,
        build,
        provider: providers[runtime.host]!,
        hostPort: runtime.port,
        hostAddress: hostAddress(spec.hosts[runtime.host]!.dockerHost),
        memoryMiB: runtime.memoryMiB,
        tokenSeed,
        tokenRotation: runtime.tokenRotation,
        dependsOn: pushDependsOn,
        ...this.dockerSocket(runtime, socketGroups.gids),
      };
      const component =
        runtime.name === "ironclaw"
          ? new IronClaw(
              `${name}-${runtime.name}`,
              { ...runtimeArgs, externalDatabaseUrl: runtime.databaseUrl && args.secrets(runtime.databaseUrl) },
              { parent: this },
            ).runtime
          : new ClawRuntime(`${name}-${runtime.name}`, runtimeArgs, { parent: this });
      this.runtimes[runtime.name] = {
        imageRef: component.imageRef,
        containerName: component.containerName,
        url: component.url,
        healthUrl: component.healthUrl,
      };
      this.tokens[runtime.name] = component.tokens;
    }

    this.devices = {};
    if (spec.devices.length > 0) {
      const bridgeImageRef = this.bridgeImage(name, build, pushDependsOn);
      for (const device of spec.devices) {
        const provider = providers[device.host]!;
        const network = new docker.Network(
          `${name}-${device.name}-mqtt`,
          { name: `${spec.name}-${device.name}-mqtt`, driver: "bridge" },
          { parent: this, provider },
        );
        const telegram = device.channel;
        const mimiclaw = new MimiClaw(
          `${name}-${device.name}`,
          {
            deviceId: device.name,
            firmwareVersion: device.firmware_version,
            firmwareCommit: device.firmware_commit,
            serialPort: device.serial_port,
            flashBaud: device.baud,
            wifiSsid: args.secrets(device.wifi_ssid),
            wifiPassword: args.secrets(device.wifi_password),
            provider: device.provider.type as "anthropic" | "openai",
            model: device.model,
            apiKey: device.provider.api_key ? args.secrets(device.provider.api_key) : pulumi.secret(""),
            telegramToken: telegram ? args.secrets(telegram.bot_token) : undefined,
            deviceAddress: device.address,
            dockerProvider: provider,
            bridgeImage: bridgeImageRef,
            network: network.name,
            bridgeHostPort: device.bridge_port,
          },
          { parent: this },
        );
        this.devices[device.name] = {
          bridgeContainerName: mimiclaw.bridgeContainerName,
          brokerContainerName: mimiclaw.brokerContainerName,
          healthUrl: mimiclaw.healthUrl,
          topics: { ...mimiclaw.topics },
        };
      }
    }

    this.registerOutputs({ runtimes: this.runtimes, devices: this.devices, tokens: this.tokens, registry: this.registry });
  }

  /** The MQTT bridge image, built once for every device and pushed; returns its ref by digest. */
  private bridgeImage(name: string, build: ImageBuildSettings, dependsOn: pulumi.Resource[]): pulumi.Output<string> {
    const repository = `${build.registry}/clawlab-bridge`;
    const image = new dockerBuild.Image(
      `${name}-bridge-image`,
      {
        context: { location: REPO_ROOT },
        dockerfile: { location: path.join(REPO_ROOT, "firmware", "bridge", "Dockerfile") },
        buildArgs: { VERSION: BRIDGE_VERSION },
        tags: [`${repository}:${BRIDGE_VERSION}`, `${repository}:latest`],
        push: true,
        registries: build.credentials ? [build.credentials] : [],
        ...buildCache(build, repository),
        platforms: build.platforms,
      },
      { parent: this, dependsOn },
    );
    return pulumi.interpolate`${repository}:${BRIDGE_VERSION}@${image.digest}`;
  }

  /** NanoClaw's opt-in host socket, and its group for the runtime's user: root on the host for whoever controls the runtime. */
  private dockerSocket(runtime: RuntimeSpec, gids: ReadonlyMap<string, number | undefined>): Pick<ClawRuntimeArgs, "dockerSocket"> {
    if (!runtime.dockerSocket) return {};
    pulumi.log.warn(
      `${runtime.name}: docker_socket = true mounts the host's Docker socket; anyone who controls ` +
        "this runtime's agents controls the host as root.",
      this,
    );
    return { dockerSocket: { gid: gids.get(runtime.name) } };
  }
}

/**
 * The group of the Docker socket each opted-in runtime mounts: its host's
 * `docker_socket_gid`, else the local socket's own (the socket is root:<group> 0660 and the
 * runtime runs as its own uid). A remote host's socket can't be read from here, so it must
 * be named; a local socket that can't be read leaves it to the provider, which fails on
 * the same missing socket, and says so.
 * @throws ConfigError naming `hosts.<name>.docker_socket_gid` for a remote host without one
 */
export function dockerSocketGroups(
  spec: Pick<FleetSpec, "hosts" | "runtimes">,
  statGid: (socketPath: string) => number = (socketPath) => fs.statSync(socketPath).gid,
): { gids: Map<string, number | undefined>; warnings: string[] } {
  const gids = new Map<string, number | undefined>();
  const warnings: string[] = [];
  const issues: ConfigIssue[] = [];
  for (const runtime of spec.runtimes) {
    if (!runtime.dockerSocket) continue;
    const host = spec.hosts[runtime.host]!;
    if (host.dockerSocketGid !== undefined) {
      gids.set(runtime.name, host.dockerSocketGid);
      continue;
    }
    if (!host.dockerHost.startsWith("unix://")) {
      issues.push({
        path: `hosts.${runtime.host}.docker_socket_gid`,
        message:
          `${runtime.name} mounts the Docker socket of host "${runtime.host}", which is remote (${host.dockerHost}): ` +
          `name the socket's group (\`stat -c %g ${HOST_DOCKER_SOCKET}\` there), in the canonical file or with clawlab:hosts`,
      });
      continue;
    }
    try {
      gids.set(runtime.name, statGid(HOST_DOCKER_SOCKET));
    } catch (error) {
      gids.set(runtime.name, undefined);
      warnings.push(
        `${runtime.name}: cannot read the group of ${HOST_DOCKER_SOCKET} (${(error as NodeJS.ErrnoException).code ?? String(error)}); ` +
          `its user will not reach the socket: set hosts.${runtime.host}.docker_socket_gid`,
      );
    }
  }
  if (issues.length > 0) throw new ConfigError("canonical config", issues);
  return { gids, warnings };
}
