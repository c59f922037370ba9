/**
 * Writes docs/config-reference.md from the zod schemas of the canonical file
 * (components/config/schema.ts) and of the stack settings (components/config/stack.ts),
 * and from the runtime declarations (runtimes/<name>/declaration.ts).
 *
 *   npx tsx docs/generate.ts           write it
 *   npx tsx docs/generate.ts --check   exit 1, naming the file and this command, when it is stale
 *
 * The text comes from the schemas' `.meta()`; change it there, never in the output.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { canonicalSchema } from "../components/config/schema";
import { stackSchema } from "../components/config/stack";
import { declarations } from "../runtimes";
import { type KeyDoc, referenceModel, type SectionDoc } from "./schema-model";

/** The repository root. */
export const ROOT = path.join(__dirname, "..");
/** The generated file, relative to the root. */
export const REFERENCE_FILE = "docs/config-reference.md";
/** The command that regenerates it. */
export const GENERATE_COMMAND = "npx tsx docs/generate.ts";

/** The Pulumi project name, which is the stack settings' config namespace. */
export function projectName(root: string = ROOT): string {
  const match = /^name:\s*(\S+)\s*$/m.exec(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
  if (!match) throw new Error("Pulumi.yaml: no `name:` line");
  return match[1]!;
}

/** The reference model this repository's schemas give. */
export function model() {
  return referenceModel(canonicalSchema, stackSchema, projectName());
}

/** A value as TOML writes it inline. */
export function toml(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(toml).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k)} = ${toml(v)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  throw new Error(`cannot write ${String(value)} as TOML`);
}

/** A value as YAML writes it in flow style (the form `Pulumi.<stack>.yaml` takes). */
export function yamlFlow(value: unknown): string {
  if (typeof value === "string") {
    const plain = /^[A-Za-z0-9_./@-][A-Za-z0-9_./:@-]*$/.test(value) && !/^(true|false|null|~|[-+.\d][\d.eE+-]*)$/i.test(value);
    return plain ? value : JSON.stringify(value);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(yamlFlow).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${k}: ${yamlFlow(v)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  throw new Error(`cannot write ${String(value)} as YAML`);
}

/** A markdown table cell: no line breaks, pipes escaped (also inside code spans, as GFM wants). */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ];
}

function defaultCell(key: KeyDoc, write: (value: unknown) => string): string {
  if (key.default !== undefined) return `\`${write(key.default.value)}\``;
  return key.defaultText ?? "—";
}

function keyRows(keys: readonly KeyDoc[], write: (value: unknown) => string): string[] {
  return table(
    ["key", "type", "required", "default", "description", "example"],
    keys.map((key) => [
      `\`${key.path}\``,
      key.type,
      key.required,
      defaultCell(key, write),
      key.only ? `Only with ${key.only}. ${key.description}` : key.description,
      key.examples.length > 0 ? key.examples.map((e) => `\`${write(e)}\``).join(", ") : "—",
    ]),
  );
}

function section(s: SectionDoc): string[] {
  const out = [`### \`[${s.path}]\``, "", s.description];
  const notes: string[] = [];
  if (s.keyRule !== undefined) notes.push(`\`<name>\`: ${s.keyRule}.`);
  if (s.required) notes.push("Required.");
  else if (s.default !== undefined && toml(s.default.value) !== "{}") {
    notes.push(`Without any \`[${s.path.split(".")[0]}]\` table: \`${toml(s.default.value)}\`.`);
  }
  if (notes.length > 0) out.push("", notes.join(" "));
  return [...out, "", ...keyRows(s.keys, toml), ""];
}

/** Per runtime: what `runtimes.<name>` keys default to and what the runtime supports. */
function runtimeTable(): string[] {
  return table(
    ["runtime", "version", "port", "memory_mb", "provider types", "channel types", "needs allowed_users", "generated tokens"],
    declarations.map((d) => [
      `\`${d.name}\``,
      `\`${d.defaultVersion}\``,
      String(d.port),
      String(d.memoryMiB),
      d.providers.join(", "),
      d.channels.join(", ") || "none",
      d.emptyAllowListIsOpen ? "yes" : "no",
      d.generatedSecrets.map((s) => `\`${s.name}\``).join(", ") || "none",
    ]),
  );
}

/** The whole of docs/config-reference.md. */
export function renderConfigReference(): string {
  const m = model();
  const namespace = m.namespace;
  const lines = [
    "<!-- Generated by `npx tsx docs/generate.ts` from components/config/schema.ts, components/config/stack.ts",
    "     and runtimes/*/declaration.ts. Do not edit: change the schema's .meta() and run it again. -->",
    "",
    "# Configuration reference",
    "",
    "Every key of the canonical file (`clawlab.toml`) and of the stack settings (`Pulumi.<stack>.yaml`).",
    "`npx clawlab check --config <file>` checks a canonical file against these rules and names each problem",
    "by its path, e.g. `runtimes.zeroclaw.port: must be 1-65535`.",
    "",
    "## The canonical file",
    "",
    m.description,
    "",
    "In a path, `<name>` stands for a table name of your choice (for runtimes: the runtime's name).",
    "Types shown by name:",
    "",
    ...m.valueTypes.map((t) => `- \`${t.title}\`: ${t.rule}.`),
    "",
    ...m.sections.flatMap(section),
    "### Runtime defaults and support",
    "",
    "From `runtimes/<name>/declaration.ts`: what `version`, `port` and `memory_mb` default to, which",
    "provider and channel types each runtime takes, whether its channels need `allowed_users` (the runtime",
    "would otherwise answer everyone), and the tokens the fleet generates for it",
    "(`pulumi stack output --show-secrets tokens`).",
    "",
    ...runtimeTable(),
    "",
    "## Stack settings",
    "",
    m.stackDescription,
    "",
    "Set them in `Pulumi.<stack>.yaml` (the examples below are YAML values), or with",
    "`pulumi config set <key> <value>` (`--path 'hosts.local'`, `--path 'platforms[0]'` for the structured ones,",
    "`--secret` for a secret):",
    "",
    "```yaml",
    "config:",
    `  ${namespace}:configFile: clawlab.toml`,
    `  ${namespace}:hosts:`,
    "    local: ssh://deploy@fleet-1.example.com",
    "```",
    "",
    ...keyRows(m.stackKeys, yamlFlow),
    "",
  ];
  return lines.join("\n");
}

/** The problem with the file on disk, or undefined when it is up to date. */
export function staleness(file: string = path.join(ROOT, REFERENCE_FILE)): string | undefined {
  const relative = path.relative(ROOT, file) || file;
  if (!fs.existsSync(file)) return `${relative} is missing: run ${GENERATE_COMMAND}`;
  if (fs.readFileSync(file, "utf8") !== renderConfigReference()) {
    return `${relative} is stale (the config schema or a runtime declaration changed): run ${GENERATE_COMMAND}`;
  }
  return undefined;
}

/** The command line; returns the exit status. */
export function main(argv: readonly string[]): number {
  const file = path.join(ROOT, REFERENCE_FILE);
  if (argv.length === 0) {
    fs.writeFileSync(file, renderConfigReference());
    process.stdout.write(`wrote ${REFERENCE_FILE}\n`);
    return 0;
  }
  if (argv.length === 1 && argv[0] === "--check") {
    const problem = staleness(file);
    if (problem === undefined) return 0;
    process.stderr.write(`docs: ${problem}\n`);
    return 1;
  }
  process.stderr.write(`usage: ${GENERATE_COMMAND} [--check]\n`);
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
