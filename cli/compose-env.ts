/**
 * `clawlab compose`, the env files: one dotenv file per service, with the values a Pulumi
 * stack would give the container. Each runtime's own translator makes its environment from
 * the checked config (cli/translate-input.ts, as `clawlab env` does), with opaque stand-ins
 * for the secrets, which are then filled in:
 * - `{ env = "X" }` from this process's environment, `{ secret = "key" }` with
 *   `pulumi config get key`; every one that cannot be read is reported at once;
 * - values only a stack generates (gateway/web tokens, IronClaw's sidecar password) are
 *   generated here, crypto-random, once: a later run reads them back from the env files it
 *   wrote, so re-running never rotates a token or locks IronClaw out of its database.
 *   Deleting a token's line rotates that token.
 * Pure apart from the injected readers; the caller writes the files.
 */
import { randomInt } from "node:crypto";
import { ConfigError, type ConfigIssue } from "../components/config/errors";
import type { SecretRef } from "../components/config/schema";
import type { FleetSpec, RuntimeSpec } from "../components/config/validate";
import { ironclawDatabase } from "../components/container-settings";
import { TOKEN_ALPHABET } from "../components/tokens";
import { translators } from "../runtimes";
import type { EnvValue } from "../runtimes/types";
import { DATABASE_SERVICE, envFilePath, servicesOf } from "./compose";
import { type DotenvEntry, renderDotenv } from "./dotenv";
import { type ReferenceSources, readSecretReferences } from "./secret-refs";
import { translateInput } from "./translate-input";

/** Where a secret part of a value comes from. */
type Origin =
  | { readonly kind: "ref"; readonly path: string; readonly ref: SecretRef }
  | { readonly kind: "generated"; readonly name: string; readonly length: number }
  | { readonly kind: "database" };

/** The secret type the translators run with here: an opaque stand-in they pass through. */
class Secret {
  constructor(readonly origin: Origin) {}
}

type Part = string | Secret;

/** What the env files need besides the checked config. */
export interface ComposeEnvOptions extends ReferenceSources {
  /** The config file, for the headers and the error heading. */
  readonly configFile: string;
  /** The env file written by an earlier run, by its path relative to the Compose file; undefined when none. */
  readonly previous: (file: string) => string | undefined;
}

/** One file to write, relative to the Compose file's folder. */
export interface EnvFile {
  readonly path: string;
  readonly text: string;
}

/** The files, and notes for stderr. */
export interface ComposeEnv {
  readonly files: readonly EnvFile[];
  readonly notes: readonly string[];
}

/** The sidecar's password variable, read by the postgres image at its first start. */
const PASSWORD_VARIABLE = "POSTGRES_PASSWORD";

/** What making one file needs besides its runtime; problems and notes are collected here. */
interface Context {
  readonly spec: FleetSpec;
  readonly options: ComposeEnvOptions;
  /** The config references' values, by config path. */
  readonly refs: ReadonlyMap<string, string>;
  readonly issues: ConfigIssue[];
  readonly notes: string[];
}

/**
 * The env files of the given runtimes (and IronClaw's sidecar).
 * @throws ConfigError naming every secret reference that cannot be read, every value a
 *   Compose env file cannot carry, and every earlier env file that cannot be read back
 */
export function renderEnvFiles(spec: FleetSpec, runtimes: readonly RuntimeSpec[], options: ComposeEnvOptions): ComposeEnv {
  const issues: ConfigIssue[] = [];
  const translated = runtimes.map((runtime) => ({ runtime, variables: translate(runtime) }));
  const refs = readReferences(translated.flatMap((t) => t.variables.flatMap((v) => v.parts)), options, issues);
  const context: Context = { spec, options, refs, issues, notes: [] };
  const files = translated.flatMap(({ runtime, variables }) => {
    if (!servicesOf(runtime).includes(DATABASE_SERVICE)) return [runtimeFile(context, runtime, variables)];
    const sidecar = sidecarFile(context, runtime);
    return [sidecar.file, runtimeFile(context, runtime, variables, sidecar.password)];
  });
  if (issues.length > 0) throw new ConfigError(options.configFile, issues);
  return { files: files.sort((a, b) => (a.path < b.path ? -1 : 1)), notes: context.notes };
}

/** IronClaw's sidecar file: its password, the earlier one or a new one. */
function sidecarFile(context: Context, runtime: RuntimeSpec): { file: EnvFile; password: string } {
  const path = envFilePath(DATABASE_SERVICE);
  let password = readPrevious(path, context)?.get(PASSWORD_VARIABLE) || undefined;
  if (password === undefined) {
    password = randomToken(ironclawDatabase(context.spec.name).passwordLength);
    // A new password reaches PostgreSQL only while its data volume is empty: say so.
    if (context.options.previous(path) !== undefined) context.notes.push(`${path}: no ${PASSWORD_VARIABLE}; generated a new one`);
  }
  const comment = `generated once and kept: PostgreSQL reads it only when the ${DATABASE_SERVICE} volume is first initialised`;
  const text = renderDotenv(header(`the ${runtime.declaration.title} PostgreSQL sidecar's password`, context.options), [
    { name: PASSWORD_VARIABLE, value: password, comments: [comment] },
  ]);
  return { file: { path, text }, password };
}

/** A runtime's file: its translated variables with every secret part filled in. */
function runtimeFile(context: Context, runtime: RuntimeSpec, variables: readonly Variable[], password?: string): EnvFile {
  const path = envFilePath(runtime.name);
  const previous = readPrevious(path, context);
  const generated = new Map<string, string>();
  const valueOf = (variable: Variable, part: Part): string => {
    if (typeof part === "string") return part;
    const { origin } = part;
    if (origin.kind === "ref") return context.refs.get(origin.path) ?? "";
    if (origin.kind === "database") return ironclawDatabase(context.spec.name).url(password!).join("");
    let value = generated.get(origin.name) ?? recover(variable.parts, part, previous?.get(variable.name));
    if (value === undefined) {
      value = randomToken(origin.length);
      if (previous) context.notes.push(`${path}: no ${variable.name}; generated a new ${origin.name}`);
    }
    generated.set(origin.name, value);
    return value;
  };
  const entries = variables.map((variable): DotenvEntry => {
    const value = variable.parts.map((part) => valueOf(variable, part)).join("");
    // Compose v1 (python-dotenv) keeps `\$` as is and expands `${X}`; v2 honours `\$`: no `$` reads the same in both.
    if (value.includes("$")) {
      const ref = variable.parts.find((p): p is Secret => p instanceof Secret && p.origin.kind === "ref");
      context.issues.push({
        path: ref?.origin.kind === "ref" ? ref.origin.path : `runtimes.${runtime.name}`,
        message: `${variable.name} would hold a "$", which Docker Compose v1 and v2 read differently from an env file; choose a value without one`,
      });
    }
    return { name: variable.name, value, comments: comments(variable.parts) };
  });
  return { path, text: renderDotenv(header(`the ${runtime.declaration.title} container's environment (${runtime.version})`, context.options), entries) };
}

/** A translated variable as plain and secret parts. */
interface Variable {
  readonly name: string;
  readonly parts: readonly Part[];
}

/** A runtime's environment as variables of plain and secret parts. */
function translate(runtime: RuntimeSpec): Variable[] {
  const input = translateInput<Secret>(runtime, {
    ref: (path, ref) => new Secret({ kind: "ref", path, ref }),
    generated: (_, name) => {
      const { length } = runtime.declaration.generatedSecrets.find((s) => s.name === name)!;
      return new Secret({ kind: "generated", name, length });
    },
    sidecarDatabaseUrl: () => new Secret({ kind: "database" }),
  });
  const env = translators[runtime.name](input);
  return Object.entries(env).map(([name, value]: [string, EnvValue<Secret>]) => ({
    name,
    parts: Array.isArray(value) ? (value as readonly Part[]) : [value as Part],
  }));
}

/** The values of the config references among the parts, by config path. Problems go to `issues`. */
function readReferences(parts: readonly Part[], options: ComposeEnvOptions, issues: ConfigIssue[]): Map<string, string> {
  const refs = new Map<string, SecretRef>();
  for (const part of parts) if (part instanceof Secret && part.origin.kind === "ref") refs.set(part.origin.path, part.origin.ref);
  const read = readSecretReferences(refs, options);
  issues.push(...read.issues);
  return read.values;
}

/**
 * An env file an earlier run wrote, as name → value; undefined when there is none. One that
 * cannot be read back is an issue: regenerating its tokens would lock clients out.
 */
function readPrevious(file: string, { options, issues }: Context): Map<string, string> | undefined {
  const text = options.previous(file);
  if (text === undefined) return undefined;
  const values = new Map<string, string>();
  const lines = text.split("\n");
  for (const [index, line] of lines.entries()) {
    if (line === "" || line.startsWith("#")) continue;
    // What renderDotenv writes: NAME="value" with \\ \" \$ \n \r escaped.
    const match = /^([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\[\\"$nr])*)"$/.exec(line);
    if (!match) {
      issues.push({
        path: "",
        message: `${file}, line ${index + 1}: not a NAME="value" line as clawlab writes them; fix it, or delete the file to generate new tokens`,
      });
      return undefined;
    }
    values.set(match[1]!, match[2]!.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", r: "\r" })[c] ?? c));
  }
  return values;
}

/**
 * A generated part's earlier value, cut out of the variable's earlier value: the plain
 * parts around it must match (other secret parts match anything).
 */
function recover(parts: readonly Part[], wanted: Secret, previous: string | undefined): string | undefined {
  if (previous === undefined) return undefined;
  const pattern = parts
    .map((part) => (part === wanted ? "([\\s\\S]+?)" : typeof part === "string" ? part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : "[\\s\\S]*?"))
    .join("");
  return new RegExp(`^${pattern}$`).exec(previous)?.[1];
}

/** `length` letters and digits, each drawn uniformly (randomInt rejects biased draws). */
function randomToken(length: number): string {
  return Array.from({ length }, () => TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)]).join("");
}

/** Where a variable's secret parts come from; no comment for a plain value. */
function comments(parts: readonly Part[]): string[] {
  const origins = parts.flatMap((part) => {
    if (!(part instanceof Secret)) return [];
    const { origin } = part;
    if (origin.kind === "ref") return ["secret" in origin.ref ? `${origin.path}: { secret = "${origin.ref.secret}" }` : `${origin.path}: { env = "${origin.ref.env}" }`];
    if (origin.kind === "generated") return [`${origin.name}: generated once and kept; delete this line to rotate it`];
    return [`the ${DATABASE_SERVICE} sidecar's URL, with the password in ${envFilePath(DATABASE_SERVICE)}`];
  });
  return [...new Set(origins)];
}

/** An env file's header comment. */
function header(what: string, options: ComposeEnvOptions): string[] {
  return [
    `clawlab compose: ${what}, from ${options.configFile}`,
    "Secret values: keep this file private (mode 0600) and out of version control.",
    "Rewritten by every `clawlab compose` run; values it generated are read back and kept.",
  ];
}
