import * as docker from "@pulumi/docker";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as path from "node:path";
import type { ContainerEnv, RuntimeDeclaration, TranslateInput, Translator } from "../runtimes/types";
import { type HealthcheckSettings, runtimeContainer, seconds } from "./container-settings";
import { buildCache, type ImageBuildSettings } from "./registry";
import { deriveToken } from "./tokens";

export interface ClawRuntimeArgs {
  /** The runtime's declaration: port, user, paths, health probe, env contract. */
  declaration: RuntimeDeclaration;
  /** Its translator from canonical settings to the image's environment. */
  translate: Translator;
  /** Canonical settings (provider, model, channels) with secrets as secret Outputs. */
  settings: Omit<TranslateInput<pulumi.Output<string>>, "generated">;
  /** Fleet name: prefixes the container and volume names and labels everything. */
  fleet: string;
  /** Pinned upstream version: the image's build arg and tag. */
  version: string;
  /**
   * The commit the version's tag must point at, passed to the build (which refuses a
   * moved tag); default empty: the build only warns that it cannot check the tag.
   */
  revision?: string;
  /** Where and how images are built and pushed (registry, credentials, cache, platforms). */
  build: ImageBuildSettings;
  /** The Docker engine of the host the container runs on. */
  provider: docker.Provider;
  /** Host port the runtime is published on. */
  hostPort: number;
  /** Address clients use to reach the host (for the exported URLs); default "localhost". */
  hostAddress?: string;
  /** Memory limit in MiB; default the declaration's. */
  memoryMiB?: number;
  /** Extra networks to join (IronClaw's database network); default none. */
  networks?: pulumi.Input<string>[];
  /**
   * Mount the host's Docker socket (NanoClaw's opt-in `docker_socket`), with the group that
   * owns it for the runtime's user (undefined: none added, and the runtime will refuse the
   * socket); default not mounted.
   */
  dockerSocket?: { gid?: number };
  /**
   * The fleet's secret seed the runtime's generated tokens are derived from (see
   * `components/tokens.ts`): stable across updates, rotated by replacing the seed.
   * Required when the declaration has a client token; default none.
   */
  tokenSeed?: pulumi.Output<string>;
  /** Bumped to rotate this runtime's generated tokens alone; default 0. */
  tokenRotation?: number;
  /** Resources the image push or the container must wait for (a local registry, a database). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The repository root: images are built from `runtimes/` so every image sees `runtimes/shared/`. */
const RUNTIMES_DIR = path.join(__dirname, "..", "runtimes");

/**
 * One claw runtime: its image built from `runtimes/<name>/` and pushed, a named state
 * volume, and a container that runs the pushed digest, health-gated.
 */
export class ClawRuntime extends pulumi.ComponentResource {
  /** The pushed image, `<repository>:<version>@sha256:...`. */
  public readonly imageRef: pulumi.Output<string>;
  /** The container's name on its host. */
  public readonly containerName: pulumi.Output<string>;
  /** The runtime's base URL on its host. */
  public readonly url: pulumi.Output<string>;
  /** The runtime's HTTP health URL; undefined for a runtime probed through its control socket. */
  public readonly healthUrl?: pulumi.Output<string>;
  /** The state volume's name. */
  public readonly volumeName: pulumi.Output<string>;
  /** Generated tokens (gateway/web), secret, by name. */
  public readonly tokens: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: ClawRuntimeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawlab:runtime:ClawRuntime", name, {}, opts);
    const { declaration: decl, build, tokenSeed } = args;
    // A caller's mistake, caught before any child is registered.
    if (!tokenSeed && decl.generatedSecrets.some((s) => !s.encryptsData)) {
      throw new Error(`${name}: ${decl.name} has generated client tokens; pass the fleet's tokenSeed`);
    }
    const repository = `${build.registry}/${decl.name}`;
    // Names, health gate and hardening, as `clawlab compose` writes them too.
    const settings = runtimeContainer(decl, {
      fleet: args.fleet,
      version: args.version,
      memoryMiB: args.memoryMiB,
      dockerSocket: args.dockerSocket !== undefined,
      providerUrl: args.settings.provider.baseUrl,
    });
    const labels = [...settings.labels];

    const image = new dockerBuild.Image(
      `${name}-image`,
      {
        context: { location: RUNTIMES_DIR },
        dockerfile: { location: path.join(RUNTIMES_DIR, decl.name, "Dockerfile") },
        buildArgs: { ...build.buildArgs, VERSION: args.version, REVISION: args.revision ?? "" },
        tags: [`${repository}:${args.version}`, `${repository}:latest`],
        labels: Object.fromEntries(labels.map((l) => [l.label, l.value])),
        push: true,
        registries: build.credentials ? [build.credentials] : [],
        ...buildCache(build, repository),
        platforms: build.platforms,
      },
      { parent: this, dependsOn: args.dependsOn },
    );
    this.imageRef = pulumi.interpolate`${repository}:${args.version}@${image.digest}`;

    // Pull by digest on the target host; the container then references the image ID,
    // which is what the provider stores, so a plan shows no phantom image diff.
    const pulled = new docker.RemoteImage(
      `${name}-pull`,
      { name: this.imageRef, keepLocally: true },
      { parent: this, provider: args.provider },
    );

    const volume = new docker.Volume(
      `${name}-state`,
      { name: settings.volume.name, labels },
      // State outlives the container and the stack: a destroy or a replace never loses it.
      { parent: this, provider: args.provider, retainOnDelete: true },
    );
    this.volumeName = volume.name;

    this.tokens = Object.fromEntries(
      decl.generatedSecrets.map((secret) => [
        secret.name,
        secret.encryptsData
          ? // A key to stored data: its own resource, so rotating the client tokens never replaces it.
            // RandomPassword marks `result` secret itself; saying so here keeps it secret whatever the provider does.
            pulumi.secret(new random.RandomPassword(`${name}-${secret.name}`, { length: secret.length, special: false }, { parent: this }).result)
          : // Derived inside an apply of the secret seed, so the token is secret too.
            tokenSeed!.apply((seed) =>
              deriveToken(seed, { fleet: args.fleet, runtime: decl.name, name: secret.name, rotation: args.tokenRotation, length: secret.length }),
            ),
      ]),
    );
    const env: ContainerEnv<pulumi.Output<string>> = args.translate({ ...args.settings, generated: this.tokens });

    const container = new docker.Container(
      `${name}-container`,
      {
        name: settings.name,
        hostname: settings.hostname,
        image: pulled.imageId,
        envs: containerEnvs(env),
        ports: [{ internal: settings.port.internal, external: args.hostPort, ip: settings.port.hostIp, protocol: settings.port.protocol }],
        volumes: [{ volumeName: volume.name, containerPath: settings.volume.target }],
        mounts: settings.dockerSocket ? [{ type: "bind", source: settings.dockerSocket, target: settings.dockerSocket }] : undefined,
        networksAdvanced: args.networks?.map((network) => ({ name: network })),
        hosts: settings.extraHosts && Object.entries(settings.extraHosts).map(([host, ip]) => ({ host, ip })),
        restart: settings.restart,
        stopTimeout: settings.stopTimeoutSeconds,
        destroyGraceSeconds: settings.stopTimeoutSeconds,
        healthcheck: containerHealthcheck(settings.healthcheck),
        wait: true,
        waitTimeout: settings.readyTimeoutSeconds,
        user: settings.user,
        groupAdds: args.dockerSocket?.gid === undefined ? undefined : [String(args.dockerSocket.gid)],
        capabilities: { drops: [...settings.capDrop] },
        securityOpts: [...settings.securityOpts],
        readOnly: settings.readOnlyRootFilesystem,
        tmpfs: settings.tmpfs,
        memory: settings.memoryMiB,
        memorySwap: settings.memoryMiB,
        logDriver: settings.log.driver,
        logOpts: settings.log.options,
        labels,
      },
      {
        parent: this,
        provider: args.provider,
        dependsOn: args.dependsOn,
        // A changed env replaces the container; the old one must go first, or the new
        // one would collide on its name and its host port.
        deleteBeforeReplace: true,
      },
    );
    this.containerName = container.name;
    const host = args.hostAddress ?? "localhost";
    this.url = pulumi.output(`http://${host}:${args.hostPort}`);
    if (decl.health.kind === "http") this.healthUrl = pulumi.output(`http://${host}:${args.hostPort}${decl.health.path}`);

    // What a reader of the state wants per runtime. The tokens stay out: the stack exports
    // them once, as a secret, and every registered output costs each of a fleet's runtimes.
    this.registerOutputs({
      imageRef: this.imageRef,
      containerName: this.containerName,
      url: this.url,
      healthUrl: this.healthUrl,
    });
  }
}

/**
 * A translated env as the Container's `envs`: `NAME=value`, sorted by name so that the
 * same config always yields the same list (no phantom diffs). The result is secret as
 * soon as any value is, and a value is never read outside an apply.
 */
function containerEnvs(env: ContainerEnv<pulumi.Output<string>>): pulumi.Output<string[]> {
  const names = Object.keys(env).sort();
  const parts = names.map((name) => {
    const value = env[name]!;
    return (Array.isArray(value) ? value : [value]) as (string | pulumi.Output<string>)[];
  });
  // One Output for the whole list (not one per variable): a fleet of many runtimes makes fewer.
  return pulumi.all(parts.flat()).apply((values) => {
    let next = 0;
    return names.map((name, i) => `${name}=${values.slice(next, (next += parts[i]!.length)).join("")}`);
  });
}

/** A health probe as the Docker provider's Container takes it. */
export function containerHealthcheck(health: HealthcheckSettings): docker.types.input.ContainerHealthcheck {
  return {
    tests: [...health.test],
    interval: seconds(health.intervalSeconds),
    timeout: seconds(health.timeoutSeconds),
    retries: health.retries,
    startPeriod: seconds(health.startPeriodSeconds),
  };
}
