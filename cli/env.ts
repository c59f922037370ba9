/**
 * `clawlab env <runtime>`: one runtime's container environment as a dotenv file, made by
 * the runtime's own translator from the checked config, as the component makes it.
 *
 * Secrets are stand-ins while translating, so a translator never sees a value:
 * - config references (`{ secret }`, `{ env }`) print as `***`; with `--show-secrets`,
 *   `{ env = "X" }` is read from this process's environment and `{ secret = "key" }`
 *   with `pulumi config get key`. Every reference that cannot be read is reported at once.
 * - values the stack generates (gateway/web tokens, IronClaw's sidecar database URL) exist
 *   only in a stack. They print as `***` too; with `--show-secrets` they are left unset
 *   instead (a commented-out `# NAME=` slot with how to read the value), because a
 *   literal `***` would be a working, guessable credential (ZeroClaw would accept the
 *   bearer token `***`), while an unset one makes the runtime refuse or fall back to pairing.
 */
import { ConfigError } from "../components/config/errors";
import type { SecretRef } from "../components/config/schema";
import type { FleetSpec, RuntimeSpec } from "../components/config/validate";
import { translators } from "../runtimes";
import type { EnvValue } from "../runtimes/types";
import { type DotenvEntry, renderDotenv } from "./dotenv";
import { type ReferenceSources, readSecretReferences } from "./secret-refs";
import { translateInput } from "./translate-input";

/** Where a secret part of a value comes from; never its value. */
type Source =
  | { readonly kind: "ref"; readonly path: string; readonly ref: SecretRef }
  | { readonly kind: "generated"; readonly runtime: string; readonly name: string }
  | { readonly kind: "sidecar"; readonly runtime: string };

/** The secret type the CLI translates with: an opaque stand-in the translator passes through. */
class StandIn {
  constructor(readonly source: Source) {}
}

/** What `env` needs besides the checked config. */
export interface EnvOptions extends ReferenceSources {
  /** The config file, for the header and the error heading. */
  readonly configFile: string;
  /** Print the referenced secrets' values instead of `***`. */
  readonly showSecrets: boolean;
}

/** The file to print, and notes for stderr. */
export interface EnvOutput {
  readonly text: string;
  readonly notes: readonly string[];
}

const MASK = "***";
const TOKENS_COMMAND = "pulumi stack output --show-secrets tokens";

/**
 * The dotenv text of one enabled runtime.
 * @throws ConfigError naming every secret reference that `--show-secrets` could not read
 */
export function renderRuntimeEnv(spec: FleetSpec, runtime: RuntimeSpec, options: EnvOptions): EnvOutput {
  const input = translateInput<StandIn>(runtime, {
    ref: (path, ref) => new StandIn({ kind: "ref", path, ref }),
    generated: (name, token) => new StandIn({ kind: "generated", runtime: name, name: token }),
    sidecarDatabaseUrl: (name) => new StandIn({ kind: "sidecar", runtime: name }),
  });
  const env = translators[runtime.name](input);
  const variables = Object.entries(env).map(([name, value]) => ({ name, parts: partsOf(value) }));

  const known = options.showSecrets ? readReferences(variables, options) : new Map<string, string>();
  const valueOf = (part: string | StandIn) =>
    typeof part === "string" ? part : part.source.kind === "ref" ? known.get(part.source.path) : undefined;

  const unset: string[] = [];
  const entries = variables.map(({ name, parts }): DotenvEntry => {
    const values = parts.map(valueOf);
    if (values.every((v) => v !== undefined)) return { name, value: values.join("") };
    const comments = [describe(parts)];
    if (!options.showSecrets) return { name, value: MASK, comments };
    unset.push(name);
    return { name, value: undefined, comments };
  });

  const header = [
    `clawlab env ${runtime.name}: the ${runtime.declaration.title} container's environment (${runtime.version}) from ${options.configFile}`,
    "For Docker Compose env_file: every value double-quoted, with \\ \" $ and line breaks escaped.",
    options.showSecrets
      ? "Secret values are shown: keep this file private (mode 0600) and out of version control."
      : `Secret values are masked as ${MASK}: this is a preview; --show-secrets prints the values the config references.`,
  ];
  if (unset.length > 0) header.push("Values only a stack knows are left unset (commented out); the comment above each says where to read it.");
  const notes =
    unset.length > 0
      ? [`note: ${unset.length} value${unset.length === 1 ? "" : "s"} only a stack knows ${unset.length === 1 ? "is" : "are"} left unset: ${unset.join(", ")}`]
      : [];
  return { text: renderDotenv(header, entries), notes };
}

/** A translated value as a list of plain and secret parts. */
function partsOf(value: EnvValue<StandIn>): readonly (string | StandIn)[] {
  if (Array.isArray(value)) return value as readonly (string | StandIn)[];
  return [value as string | StandIn];
}

/** One comment line: the value's shape with each secret part named, and where each comes from. */
function describe(parts: readonly (string | StandIn)[]): string {
  const secrets = parts.filter((p): p is StandIn => typeof p !== "string");
  const shape = parts.map((p) => (typeof p === "string" ? p : `<${label(p.source)}>`)).join("");
  const origins = [...new Set(secrets.map((s) => origin(s.source)))];
  return `${shape}: ${origins.join("; ")}`;
}

function label(source: Source): string {
  switch (source.kind) {
    case "ref":
      return source.path;
    case "generated":
      return `tokens.${source.runtime}.${source.name}`;
    case "sidecar":
      return `${source.runtime} sidecar database URL`;
  }
}

function origin(source: Source): string {
  switch (source.kind) {
    case "ref":
      return "secret" in source.ref ? `{ secret = "${source.ref.secret}" }` : `{ env = "${source.ref.env}" }`;
    case "generated":
      return `generated by the stack; read it with: ${TOKENS_COMMAND}`;
    case "sidecar":
      return (
        "the stack's managed PostgreSQL sidecar, with a password it generates and does not export; " +
        "for Compose, `clawlab compose` writes the sidecar with a password of its own"
      );
  }
}

/**
 * The values of the config references the variables use, by config path.
 * @throws ConfigError listing every reference that could not be read
 */
function readReferences(
  variables: readonly { parts: readonly (string | StandIn)[] }[],
  options: EnvOptions,
): Map<string, string> {
  const refs = new Map<string, SecretRef>();
  for (const { parts } of variables) {
    for (const part of parts) if (typeof part !== "string" && part.source.kind === "ref") refs.set(part.source.path, part.source.ref);
  }
  const { values, issues } = readSecretReferences(refs, options);
  if (issues.length > 0) throw new ConfigError(options.configFile, issues);
  return values;
}
