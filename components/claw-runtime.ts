import * as docker from "@pulumi/docker";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as path from "node:path";
import { IMAGE_HEALTH_COMMAND } from "../runtimes/image";
import type { ContainerEnv, RuntimeDeclaration, TranslateInput, Translator } from "../runtimes/types";
import { containerEnvs, fleetLabels } from "./container-settings";
import { buildCache, type ImageBuildSettings } from "./registry";


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
  /** Extra mounts (NanoClaw's opt-in Docker socket); default none. */
  mounts?: docker.types.input.ContainerMount[];
  /** Extra supplementary groups for the runtime user (the socket's group); default none. */
  groupAdds?: pulumi.Input<string>[];
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
    const { declaration: decl, build } = args;
    const repository = `${build.registry}/${decl.name}`;
    const labels = fleetLabels(args.fleet, decl.name, args.version);

    const image = new dockerBuild.Image(
      `${name}-image`,
      {
        context: { location: RUNTIMES_DIR },
        dockerfile: { location: path.join(RUNTIMES_DIR, decl.name, "Dockerfile") },
        buildArgs: { VERSION: args.version, REVISION: args.revision ?? "" },
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
      { name: `${args.fleet}-${decl.name}-state`, labels },
      // State outlives the container and the stack: a destroy or a replace never loses it.
      { parent: this, provider: args.provider, retainOnDelete: true },
    );
    this.volumeName = volume.name;

    this.tokens = Object.fromEntries(
      decl.generatedSecrets.map((secret) => [
        secret.name,
        // RandomPassword marks `result` secret itself; saying so here keeps it secret whatever the provider does.
        pulumi.secret(
          new random.RandomPassword(`${name}-${secret.name}`, { length: secret.length, special: false }, { parent: this })
            .result,
        ),
      ]),
    );
    const env: ContainerEnv<pulumi.Output<string>> = args.translate({ ...args.settings, generated: this.tokens });

    const healthcheck = {
      tests: ["CMD", IMAGE_HEALTH_COMMAND],
      interval: "10s",
      timeout: "5s",
      retries: 3,
      startPeriod: `${decl.health.startPeriodSeconds}s`,
    };
    const containerName = `${args.fleet}-${decl.name}`;
    const container = new docker.Container(
      `${name}-container`,
      {
        name: containerName,
        // A stable hostname: OpenClaw ties its state lease to it, so a replaced container
        // must come back under the same name to reopen its volume at once.
        hostname: containerName,
        image: pulled.imageId,
        envs: containerEnvs(env),
        ports: [{ internal: decl.port, external: args.hostPort, ip: "0.0.0.0", protocol: "tcp" }],
        volumes: [{ volumeName: volume.name, containerPath: decl.stateDir }],
        mounts: args.mounts,
        networksAdvanced: args.networks?.map((network) => ({ name: network })),
        restart: "unless-stopped",
        // Runtimes close channel connections on stop; Docker's 10 s default cuts some short.
        stopTimeout: 30,
        destroyGraceSeconds: 30,
        healthcheck,
        wait: true,
        waitTimeout: decl.health.startPeriodSeconds + 60,
        user: `${decl.user.uid}:${decl.user.uid}`,
        groupAdds: args.groupAdds,
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        readOnly: decl.readOnlyRootFilesystem,
        tmpfs: decl.readOnlyRootFilesystem ? { "/tmp": "rw,noexec,nosuid,size=64m" } : undefined,
        memory: args.memoryMiB ?? decl.memoryMiB,
        logDriver: "json-file",
        logOpts: { "max-size": "10m", "max-file": "3" },
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

    this.registerOutputs({
      imageRef: this.imageRef,
      containerName: this.containerName,
      url: this.url,
      healthUrl: this.healthUrl,
      volumeName: this.volumeName,
      tokens: this.tokens,
    });
  }
}
