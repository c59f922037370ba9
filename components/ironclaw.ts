import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ClawRuntime, type ClawRuntimeArgs } from "./claw-runtime";
import { fleetLabels } from "./container-settings";
import { PINNED_IMAGES } from "./pinned-images";

export interface IronClawArgs extends ClawRuntimeArgs {
  /**
   * An external PostgreSQL URL (secret). When given, no sidecar is created; default: a
   * managed PostgreSQL sidecar on a private network.
   */
  externalDatabaseUrl?: pulumi.Output<string>;
}

/** Database name, role and port of the managed sidecar. */
const DB = { name: "ironclaw", user: "ironclaw", port: 5432 } as const;

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

    const labels = fleetLabels(args.fleet, "ironclaw-db", "pg16");
    const network = new docker.Network(
      `${name}-network`,
      { name: `${args.fleet}-ironclaw`, driver: "bridge", labels },
      { parent: this, provider: args.provider },
    );
    const password = pulumi.secret(
      new random.RandomPassword(`${name}-db-password`, { length: 32, special: false }, { parent: this }).result,
    );
    const image = new docker.RemoteImage(
      `${name}-db-image`,
      { name: PINNED_IMAGES.postgres, keepLocally: true },
      { parent: this, provider: args.provider },
    );
    const volume = new docker.Volume(
      `${name}-db-data`,
      { name: `${args.fleet}-ironclaw-db`, labels },
      { parent: this, provider: args.provider, retainOnDelete: true },
    );
    const host = `${args.fleet}-ironclaw-db`;
    const passwordFile = "/run/clawlab/postgres-password";
    const database = new docker.Container(
      `${name}-db`,
      {
        name: host,
        image: image.imageId,
        envs: [`POSTGRES_USER=${DB.user}`, `POSTGRES_DB=${DB.name}`, `POSTGRES_PASSWORD_FILE=${passwordFile}`],
        // The password travels as a file, not an env var, so `docker inspect` never shows it.
        uploads: [{ file: passwordFile, content: password }],
        networksAdvanced: [{ name: network.name, aliases: ["db"] }],
        volumes: [{ volumeName: volume.name, containerPath: "/var/lib/postgresql/data" }],
        restart: "unless-stopped",
        healthcheck: {
          tests: ["CMD", "pg_isready", "-U", DB.user, "-d", DB.name],
          interval: "5s",
          timeout: "3s",
          retries: 10,
          startPeriod: "10s",
        },
        // Readiness gate: IronClaw (which runs migrations at start) is created only after this is healthy.
        wait: true,
        waitTimeout: 120,
        securityOpts: ["no-new-privileges:true"],
        memory: 512,
        logDriver: "json-file",
        logOpts: { "max-size": "10m", "max-file": "3" },
        labels,
      },
      { parent: this, provider: args.provider, deleteBeforeReplace: true },
    );
    this.databaseContainerName = database.name;
    const databaseUrl = pulumi.interpolate`postgres://${DB.user}:${password}@${host}:${DB.port}/${DB.name}?sslmode=disable`;

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
