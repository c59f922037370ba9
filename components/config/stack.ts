/**
 * The stack's own settings (`Pulumi.<stack>.yaml`, namespace `clawlab`): which canonical
 * file to read and the environment-specific parts — registry and its credentials, host
 * overrides, build cache. Checked like the canonical file, errors naming the key.
 */
import { z } from "zod";
import { ConfigError, joinPath } from "./errors";

const stackSchema = z.strictObject({
  configFile: z.string().min(1).default("clawlab.toml"),
  localRegistry: z.boolean().default(false),
  localRegistryPort: z.number().int().min(1024, { error: "must be 1024-65535" }).max(65535, { error: "must be 1024-65535" }).default(5000),
  registry: z.string().regex(/^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)+$/, { error: "must look like ghcr.io/owner" }).optional(),
  registryUsername: z.string().min(1).optional(),
  registryPassword: z.string().min(1).optional(),
  hosts: z.record(z.string(), z.string().regex(/^(unix|ssh|tcp):\/\/\S+$/, { error: "must be unix://, ssh:// or tcp:// URL" })).default({}),
  buildCache: z.enum(["registry", "inline", "none"]).optional(),
  platforms: z.array(z.enum(["linux/amd64", "linux/arm64"])).optional(),
});

export type StackSettings = z.output<typeof stackSchema>;

/** Keys whose values are JSON in Pulumi's config (objects, arrays, numbers, booleans). */
const JSON_KEYS = new Set(["localRegistry", "localRegistryPort", "hosts", "platforms"]);

/**
 * Parses the `clawlab:*` entries of a Pulumi config map (as `pulumi.runtime.allConfig()`
 * gives it). Other namespaces and the secret references' keys are ignored.
 * @param secretKeys keys of the canonical file's `{ secret = ... }` references, which live in the same namespace
 */
export function parseStackSettings(all: Record<string, string>, project: string, secretKeys: ReadonlySet<string>): StackSettings {
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
  if (issues.length > 0 || !parsed.success) throw new ConfigError("stack config", issues);
  return parsed.data;
}
