/**
 * Reading the canonical config's secret references outside a Pulumi program, for
 * `clawlab env --show-secrets` and `clawlab compose`: `{ env = "X" }` from the environment,
 * `{ secret = "key" }` with `pulumi config get key` (once per key).
 */
import type { ConfigIssue } from "../components/config/errors";
import type { SecretRef } from "../components/config/schema";
import { type ConfigGetResult, configGetCommand } from "./pulumi-config";

/** Where the references' values come from. */
export interface ReferenceSources {
  /** The environment `{ env }` values are read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads one Pulumi config value (`pulumi config get`). */
  readonly configGet: (key: string, stack?: string) => ConfigGetResult;
  /** The stack `{ secret }` values are read from; default the selected one. */
  readonly stack?: string;
}

/**
 * The references' values by config path, and one issue per reference that cannot be read,
 * saying how to fix it (in path order, so the report is stable).
 */
export function readSecretReferences(
  refs: ReadonlyMap<string, SecretRef>,
  sources: ReferenceSources,
): { values: Map<string, string>; issues: ConfigIssue[] } {
  const values = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  const byKey = new Map<string, ConfigGetResult>();
  for (const path of [...refs.keys()].sort()) {
    const ref = refs.get(path)!;
    if ("env" in ref) {
      // An empty value is as good as none: no runtime accepts an empty key or token.
      const value = sources.env[ref.env];
      if (value) values.set(path, value);
      else issues.push({ path, message: `environment variable ${ref.env} is not set or empty` });
      continue;
    }
    let result = byKey.get(ref.secret);
    if (!result) byKey.set(ref.secret, (result = sources.configGet(ref.secret, sources.stack)));
    const { file, args } = configGetCommand(ref.secret, sources.stack);
    const command = [file, ...args].join(" ");
    if (result.ok) values.set(path, result.value);
    else if (result.reason === "no-cli") {
      issues.push({
        path,
        message:
          `{ secret = "${ref.secret}" } is read with \`${command}\`, but the pulumi CLI is not on PATH; ` +
          "install it, or reference the value as { env = \"VAR\" } and export VAR",
      });
    } else {
      issues.push({
        path,
        message: `\`${command}\` failed: ${result.detail} (set it with: pulumi config set --secret ${ref.secret}, which prompts for the value)`,
      });
    }
  }
  return { values, issues };
}
