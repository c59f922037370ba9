import * as docker from "@pulumi/docker";
import type * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { CAP_DROP, CONTAINER_LOG, NO_NEW_PRIVILEGES, fleetLabels } from "./container-settings";
import { PINNED_IMAGES } from "./pinned-images";

/** Where and how the fleet's images are built and pushed; decided once per stack. */
export interface ImageBuildSettings {
  /** Repository prefix: images go to `<registry>/<runtime>:<version>`. */
  readonly registry: string;
  /** Push credentials; none for the dev stack's loopback registry. */
  readonly credentials?: dockerBuild.types.input.RegistryArgs;
  /**
   * Build cache: `registry` stores it beside the image (`:buildcache`, needs a BuildKit
   * builder that can export caches), `inline` embeds it in the image (works with the
   * engine's default builder, one platform only), `none` keeps only the local cache.
   */
  readonly cache: "registry" | "inline" | "none";
  /**
   * Target platforms; the stack's default is the host's (`clawlab:platforms`), undefined
   * leaves it to the builder. With several, `push: true` publishes one manifest list per
   * tag and the image's `digest` is the list's, so a pull by that digest gets the pulling
   * host's platform. Never with `load`: the docker exporter cannot hold a manifest list.
   */
  readonly platforms?: dockerBuild.Platform[];
  /** Extra build args of the runtime images (the stack's `clawlab:buildArgs`: base and toolchain images from a mirror). */
  readonly buildArgs?: Readonly<Record<string, string>>;
}

/** The `cacheFrom`/`cacheTo` inputs of an image pushed to `repository`, per the stack's cache mode. */
export function buildCache(build: ImageBuildSettings, repository: string): Pick<dockerBuild.ImageArgs, "cacheFrom" | "cacheTo"> {
  const ref = `${repository}:buildcache`;
  switch (build.cache) {
    case "registry":
      return {
        cacheFrom: [{ registry: { ref } }],
        cacheTo: [{ registry: { ref, mode: "max" as dockerBuild.CacheMode, imageManifest: true, ociMediaTypes: true } }],
      };
    case "inline":
      return { cacheFrom: [], cacheTo: [{ inline: {} }] };
    case "none":
      return { cacheFrom: [], cacheTo: [] };
  }
}

export interface LocalRegistryArgs {
  /** The local engine. */
  provider: docker.Provider;
  /** Fleet name, for the container/volume names and labels. */
  fleet: string;
  /** Loopback port the registry listens on; default 5000. */
  port?: number;
}

/**
 * The dev stack's image registry: `registry:2` on the local engine, published on
 * loopback only, so `pulumi up` needs no GHCR account. Images persist in a volume.
 */
export class LocalRegistry extends pulumi.ComponentResource {
  /** The address images are pushed to, `localhost:<port>`. */
  public readonly address: string;
  /** The registry container, for `dependsOn`. */
  public readonly container: docker.Container;

  constructor(name: string, args: LocalRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawlab:registry:LocalRegistry", name, {}, opts);
    const port = args.port ?? 5000;
    const labels = fleetLabels(args.fleet, "registry", "2.8.3");
    const image = new docker.RemoteImage(
      `${name}-image`,
      { name: PINNED_IMAGES.registry, keepLocally: true },
      { parent: this, provider: args.provider },
    );
    const volume = new docker.Volume(
      `${name}-data`,
      { name: `${args.fleet}-registry-data`, labels },
      { parent: this, provider: args.provider, retainOnDelete: true },
    );
    this.container = new docker.Container(
      `${name}-container`,
      {
        name: `${args.fleet}-registry`,
        image: image.imageId,
        ports: [{ internal: 5000, external: port, ip: "127.0.0.1", protocol: "tcp" }],
        volumes: [{ volumeName: volume.name, containerPath: "/var/lib/registry" }],
        restart: "unless-stopped",
        healthcheck: {
          tests: ["CMD", "wget", "-q", "--spider", "http://127.0.0.1:5000/v2/"],
          interval: "5s",
          timeout: "3s",
          retries: 5,
          startPeriod: "5s",
        },
        wait: true,
        waitTimeout: 60,
        // registry:2 has no non-root user, and its /var/lib/registry (so a new volume) is
        // root's, mode 755: it runs as root, without a single capability, and says so in the
        // label the policy pack's container-non-root-user policy honours (policy/docker.ts).
        user: "0:0",
        capabilities: { drops: [...CAP_DROP] },
        securityOpts: [...NO_NEW_PRIVILEGES],
        logDriver: CONTAINER_LOG.driver,
        logOpts: CONTAINER_LOG.options,
        labels: [...labels, { label: "dev.clawlab.run-as-root", value: "registry:2 writes its root-owned /var/lib/registry volume" }],
      },
      { parent: this, provider: args.provider, deleteBeforeReplace: true },
    );
    this.address = `localhost:${port}`;
    this.registerOutputs({ address: this.address });
  }
}
