/**
 * The stack's own settings (`Pulumi.<stack>.yaml`, namespace `clawlab`): which canonical
 * file to read and the environment-specific parts — registry and its credentials, host
 * overrides, build cache, build platforms. Checked like the canonical file, errors naming
 * the key.
 */
import { z } from "zod";
import { ConfigError, joinPath } from "./errors";
import { socketGid } from "./schema";

/** The platforms images can be built for: the fleet's hosts are Linux on x86-64 or ARM64. */
export const PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
export type Platform = (typeof PLATFORMS)[number];

/**
 * The build platform of a Node.js `process.arch`, i.e. of the machine running Pulumi (whose
 * engine builds the images): `x64` → `linux/amd64`, `arm64` → `linux/arm64`; undefined for
 * any other, which leaves the choice to the builder.
 */
export function hostPlatform(arch: string = process.arch): Platform | undefined {
  if (arch === "x64") return "linux/amd64";
  if (arch === "arm64") return "linux/arm64";
  return undefined;
}

/** Build args the program sets itself on every runtime image. */
export const PROGRAM_BUILD_ARGS = ["VERSION", "REVISION", "SOURCE", "ARTIFACT_STAGE"] as const;

const dockerEndpoint = () => z.string().regex(/^(unix|ssh|tcp):\/\/\S+$/, { error: "must be unix://, ssh:// or tcp:// URL" });

export const stackSchema = z.strictObject({
  configFile: z
    .string()
    .min(1)
    .default("clawlab.toml")
    .meta({ description: "The canonical file, relative to the project directory.", examples: ["clawlab.example.toml"] }),
  localRegistry: z
    .boolean()
    .default(false)
    .meta({
      description: "Run registry:2 on 127.0.0.1 of the local engine and push the images there (the dev stack); refused when a host is remote.",
      examples: [true],
    }),
  localRegistryPort: z.number().int().min(1024, { error: "must be 1024-65535" }).max(65535, { error: "must be 1024-65535" }).default(5000)
    .meta({ description: "The loopback port of that registry.", examples: [5000] }),
  registry: z.string().regex(/^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)+$/, { error: "must look like ghcr.io/owner" }).optional()
    .meta({ description: "Push the images here instead of the canonical file's `fleet.registry`.", examples: ["ghcr.io/codervisor"] }),
  registryUsername: z.string().min(1).optional().meta({ description: "Registry login; needs registryPassword.", examples: ["codervisor-bot"] }),
  registryPassword: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "Registry token (GHCR: a GitHub token with packages:write). A secret: `pulumi config set --secret registryPassword`." }),
  hosts: z
    .record(
      z.string(),
      z.union([
        dockerEndpoint(),
        z.strictObject({ dockerHost: dockerEndpoint(), dockerSocketGid: socketGid().optional() }),
      ]).meta({ title: "Docker endpoint URL | { dockerHost, dockerSocketGid }" }),
    )
    .default({})
    .meta({
      description:
        "Points a `[hosts.<name>]` entry of the canonical file at another Docker endpoint, by host name: the endpoint, or `{ dockerHost, dockerSocketGid }` when a runtime mounts that host's Docker socket.",
      examples: [{ local: "ssh://deploy@fleet-1.example.com" }, { local: { dockerHost: "ssh://deploy@fleet-1.example.com", dockerSocketGid: 988 } }],
    }),
  buildArgs: z
    .record(z.string(), z.string().min(1, { error: "must not be empty" }))
    .superRefine((args, ctx) => {
      for (const key of Object.keys(args)) {
        if (!/^[A-Z][A-Z0-9_]*$/.test(key)) ctx.addIssue({ code: "custom", path: [key], message: "must be a build arg name in upper case (BASE_IMAGE, GO_IMAGE, ...)" });
      }
      if (PROGRAM_BUILD_ARGS.some((k) => k in args)) {
        ctx.addIssue({ code: "custom", message: `must not set ${PROGRAM_BUILD_ARGS.join(", ")}: the program sets them from the canonical file` });
      }
    })
    .default({})
    .meta({
      description:
        "Build args for every runtime image (runtimes/<name>/Dockerfile), e.g. the base and toolchain images from your own mirror: `BASE_IMAGE`, and the build stage's `GO_IMAGE`, `BUILD_IMAGE`, `RUST_IMAGE`, `NODE_IMAGE`.",
      examples: [{ BASE_IMAGE: "mirror.example.com/debian:bookworm-slim", GO_IMAGE: "mirror.example.com/golang:1.25-bookworm" }],
    }),
  buildCache: z
    .enum(["registry", "inline", "none"])
    .optional()
    .meta({
      description:
        "Build cache: registry keeps it beside the image (`<image>:buildcache`; needs a BuildKit builder that exports caches), inline embeds it in the image, none keeps only the builder's local cache.",
      defaultText: "inline with localRegistry and one platform, else registry",
      examples: ["inline"],
    }),
  /**
   * Build platforms; default the host's (see {@link hostPlatform}). Two platforms push one
   * manifest list per tag, and containers pull its digest, which resolves to their host's
   * platform. That needs a BuildKit builder (`docker buildx create --driver docker-container
   * --use`, with QEMU for the foreign platform; `--driver-opt network=host` to reach a local
   * registry on localhost), not the engine's default one, and a cache it can export:
   * `registry` (the default then) or `none`, never `inline`.
   */
  platforms: z
    .array(z.enum(PLATFORMS, { error: `must be ${PLATFORMS.join(" or ")}` }))
    .min(1, { error: "must list at least one platform" })
    .refine((list) => new Set(list).size === list.length, { error: "lists a platform twice" })
    .optional()
    .meta({ description: "Platforms to build the images for.", defaultText: "the platform of the machine running Pulumi", examples: [["linux/amd64", "linux/arm64"]] }),
}).meta({
  description:
    'The stack\'s own settings: what differs per environment. The Pulumi config keys that the canonical file\'s `{ secret = "key" }` references name live in the same namespace and are not settings.',
});

export type StackSettings = z.output<typeof stackSchema>;

/** Keys whose values are JSON in Pulumi's config (objects, arrays, numbers, booleans). */
const JSON_KEYS = new Set(["localRegistry", "localRegistryPort", "hosts", "platforms", "buildArgs"]);

/**
 * Parses the `clawlab:*` entries of a Pulumi config map (as `pulumi.runtime.allConfig()`
 * gives it). Other namespaces and the secret references' keys are ignored.
 * @param secretKeys keys of the canonical file's `{ secret = ... }` references, which live in the same namespace
 * @param arch the host's `process.arch`, for the default platform
 */
export function parseStackSettings(
  all: Record<string, string>,
  project: string,
  secretKeys: ReadonlySet<string>,
  arch: string = process.arch,
): StackSettings {
  const raw: Record<string, unknown> = {};
  const issues: { path: string; message: string }[] = [];
  for (const [fullKey, value] of Object.entries(all)) {
    const [namespace, key] = fullKey.split(":", 2) as [string, string | undefined];
    if (namespace !== project || key === undefined || secretKeys.has(key)) continue;
    if (!JSON_KEYS.has(key)) {
      raw[key] = value;
      continue;
    }
    try {
      raw[key] = JSON.parse(value);
    } catch {
      issues.push({ path: `${project}:${key}`, message: "must be valid JSON (a number, boolean, list or object)" });
    }
  }
  const parsed = stackSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
      for (const extra of keys) {
        issues.push({
          path: `${project}:${joinPath(extra ? [...issue.path, extra] : issue.path)}`,
          message: extra ? "unknown stack setting" : issue.message,
        });
      }
    }
  }
  if (parsed.success && !parsed.data.localRegistry && !parsed.data.registryPassword && parsed.data.registryUsername) {
    issues.push({ path: `${project}:registryPassword`, message: "is required with registryUsername (run: pulumi config set --secret registryPassword — it prompts for the token)" });
  }
  const host = hostPlatform(arch);
  const platforms = parsed.data?.platforms ?? (host ? [host] : undefined);
  const multiPlatform = platforms !== undefined && platforms.length > 1;
  if (multiPlatform && parsed.data?.buildCache === "inline") {
    issues.push({
      path: `${project}:buildCache`,
      message: `"inline" cannot cache a multi-platform build (${project}:platforms lists ${platforms.join(", ")}); use "registry" or "none"`,
    });
  }
  if (issues.length > 0 || !parsed.success) throw new ConfigError("stack config", issues);
  // The engine's default builder, which `inline` is for, builds one platform only.
  const buildCache = parsed.data.buildCache ?? (multiPlatform ? "registry" : undefined);
  return { ...parsed.data, platforms, buildCache };
}
