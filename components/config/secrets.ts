/**
 * Secret references → Pulumi secret Outputs. Every reference an enabled runtime or
 * device uses is resolved (and a missing one reported) before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigIssue } from "./errors";
import type { SecretRef } from "./schema";
import type { FleetSpec } from "./validate";

/** Where secret values come from; the program passes Pulumi's config and process.env. */
export interface SecretSource {
  /** A stack config value by key (`name` or `namespace:name`), or undefined. */
  config(key: string): string | undefined;
  /** A deploy-time environment variable, or undefined. */
  env(name: string): string | undefined;
}

/** Resolves secret references to secret Outputs, keyed by the reference's identity. */
export interface SecretResolver {
  (ref: SecretRef): pulumi.Output<string>;
}

/** The key in `{ secret = "key" }` as Pulumi stores it (`project:key` unless namespaced). */
export function configKey(key: string, project: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** Checks that every reference of the fleet resolves, then returns the resolver. */
export function resolveSecrets(spec: FleetSpec, source: SecretSource, project: string, file: string): SecretResolver {
  const issues: ConfigIssue[] = [];
  for (const { path, ref } of spec.secretRefs) {
    if ("secret" in ref && source.config(configKey(ref.secret, project)) === undefined) {
      issues.push({
        path,
        message: `Pulumi secret config "${ref.secret}" is not set (run: pulumi config set --secret ${ref.secret} — it prompts for the value)`,
      });
    } else if ("env" in ref && !source.env(ref.env)) {
      issues.push({ path, message: `environment variable ${ref.env} is not set or empty` });
    }
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
  return (ref) =>
    pulumi.secret("secret" in ref ? (source.config(configKey(ref.secret, project)) ?? "") : (source.env(ref.env) ?? ""));
}

/** The secret source of a running Pulumi program. */
export function pulumiSecretSource(): SecretSource {
  return { config: (key) => pulumi.runtime.getConfig(key), env: (name) => process.env[name] };
}
