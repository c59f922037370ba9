import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ClawRuntime, type ClawRuntimeArgs, containerHealthcheck } from "./claw-runtime";
import { ironclawDatabase } from "./container-settings";

export interface IronClawArgs extends ClawRuntimeArgs {
  /**
   * An external PostgreSQL URL (secret). When given, no sidecar is created; default: a
   * managed PostgreSQL sidecar on a private network.
   */
  externalDatabaseUrl?: pulumi.Output<string>;
}

/**
 * IronClaw: a ClawRuntime plus its PostgreSQL (pgvector) sidecar on a private network,
 * with a generated password, a data volume and a readiness gate — or an external database.
 */
export class IronClaw extends pulumi.ComponentResource {
  /** The runtime itself. */
  public readonly runtime: ClawRuntime;
  /** The sidecar's container name, when managed. */
  public readonly databaseContainerName?: pulumi.Output<string>;

  constructor(name: string, args: IronClawArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawlab:runtime:IronClaw", name, {}, opts);
    const { externalDatabaseUrl, ...runtimeArgs } = args;
    if (externalDatabaseUrl) {
      this.runtime = new ClawRuntime(
        `${name}-runtime`,
        { ...runtimeArgs, settings: { ...args.settings, database: { url: externalDatabaseUrl, sidecar: false } } },
        { parent: this },
      );
      this.registerOutputs({ runtime: this.runtime });
      return;
    }

    // Names, health gate and settings, as `clawlab compose` writes them too.
    const db = ironclawDatabase(args.fleet);
    const labels = [...db.labels];
    const network = new docker.Network(
      `${name}-network`,
      { name: db.network.name, driver: "bridge", labels },
      { parent: this, provider: args.provider },
    );
    const password = pulumi.secret(
      new random.RandomPassword(`${name}-db-password`, { length: db.passwordLength, special: false }, { parent: this }).result,
    );
    const image = new docker.RemoteImage(
      `${name}-db-image`,
      { name: db.image, keepLocally: true },
      { parent: this, provider: args.provider },
    );
    const volume = new docker.Volume(
      `${name}-db-data`,
      { name: db.volume.name, labels },
      { parent: this, provider: args.provider, retainOnDelete: true },
    );
    const passwordFile = "/run/clawlab/postgres-password";
    const database = new docker.Container(
      `${name}-db`,
      {
        name: db.name,
        image: image.imageId,
        envs: [...Object.entries(db.env).map(([key, value]) => `${key}=${value}`), `POSTGRES_PASSWORD_FILE=${passwordFile}`],
        // The password travels as a file, not an env var, so `docker inspect` never shows it;
        // readable by the postgres user only.
        uploads: [{ file: passwordFile, content: password, owner: String(db.uid), group: String(db.uid), permissions: "0400" }],
        networksAdvanced: [{ name: network.name, aliases: [db.network.alias] }],
        volumes: [{ volumeName: volume.name, containerPath: db.volume.target }],
        restart: db.restart,
        healthcheck: containerHealthcheck(db.healthcheck),
        // Readiness gate: IronClaw (which runs migrations at start) is created only after this is healthy.
        wait: true,
        waitTimeout: db.readyTimeoutSeconds,
        user: db.user,
        capabilities: { drops: [...db.capDrop] },
        securityOpts: [...db.securityOpts],
        memory: db.memoryMiB,
        memorySwap: db.memoryMiB,
        logDriver: db.log.driver,
        logOpts: db.log.options,
        labels,
      },
      { parent: this, provider: args.provider, deleteBeforeReplace: true },
    );
    this.databaseContainerName = database.name;
    const databaseUrl = pulumi.concat(...db.url(password));

    this.runtime = new ClawRuntime(
      `${name}-runtime`,
      {
        ...runtimeArgs,
        settings: { ...args.settings, database: { url: pulumi.secret(databaseUrl), sidecar: true } },
        networks: [...(args.networks ?? []), network.name],
        dependsOn: [...(args.dependsOn ?? []), database],
      },
      { parent: this },
    );
    this.registerOutputs({ runtime: this.runtime, databaseContainerName: this.databaseContainerName });
  }
}
