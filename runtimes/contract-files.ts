/**
 * The files an image carries so that its entrypoint reads the same declaration as the
 * fleet program: `runtime.conf` (sourceable sh), `env.contract` (one variable a line) and
 * `.env.example` (for people), plus the image's `Dockerfile` (the shared template,
 * dockerfile.ts) and its `Dockerfile.dockerignore`. All are generated from
 * `runtimes/<name>/declaration.ts` (and `Dockerfile.build`) by `npm run generate`;
 * `tsx runtimes/generate.ts --check` (part of `npm test`) fails when a committed copy is stale.
 */
import { renderDockerfile } from "./dockerfile";
import { bakedConfigPath } from "./image";
import type { EnvVar, RuntimeDeclaration } from "./types";

const HEADER = (name: string) => `generated from runtimes/${name}/declaration.ts by \`npm run generate\`; do not edit`;

/** Quotes a value for sh: single quotes, with embedded ones closed and escaped. */
function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The runtime start as one line for the entrypoint (`CLAW_COMMAND`), which splits it into
 * words: the image's CMD, whose words may hold no blank or glob character.
 */
function defaultCommand(decl: RuntimeDeclaration): string {
  const bad = decl.image.command.find((w) => w === "" || /[\s*?[\]'"\\$`]/.test(w));
  if (bad !== undefined) throw new Error(`runtimes/${decl.name}: image.command word ${JSON.stringify(bad)} cannot be split back into the same words`);
  return decl.image.command.join(" ");
}

/** `runtime.conf`: the facts the entrypoint and the health probe need, as sh assignments. */
export function renderRuntimeConf(decl: RuntimeDeclaration): string {
  const health = decl.health;
  const values: [string, string | number][] = [
    ["CLAW_RUNTIME", decl.name],
    ["CLAW_USER", decl.user.name],
    ["CLAW_UID", decl.user.uid],
    ["CLAW_STATE_DIR", decl.stateDir],
    ["CLAW_WORKSPACE_DIR", decl.workspaceDir],
    ["CLAW_CONFIG_FORMAT", decl.config.format],
    ["CLAW_CONFIG_BAKED", bakedConfigPath(decl.config.baked)],
    ["CLAW_CONFIG_PATH", decl.config.path],
    ["CLAW_CONFIG_SEED_ONLY", decl.config.seedOnly ? "true" : "false"],
    ["CLAW_PORT", decl.port],
    ["CLAW_HEALTH_KIND", health.kind],
    ["CLAW_HEALTH_PATH", health.path],
    ["CLAW_HEALTH_BODY", health.kind === "http" ? (health.bodyContains ?? "") : ""],
    ["CLAW_COMMAND", defaultCommand(decl)],
  ];
  return `# ${HEADER(decl.name)}\n${values.map(([k, v]) => `${k}=${shQuote(String(v))}`).join("\n")}\n`;
}

/** A contract line's type column: `enum:a|b` for enums. */
function typeColumn(v: EnvVar): string {
  return v.type === "enum" ? `enum:${(v.values ?? []).join("|")}` : v.type;
}

/** `env.contract`: NAME, TYPE, SECRET, TARGET, DEFAULT separated by tabs; `-` for none. */
export function renderEnvContract(decl: RuntimeDeclaration): string {
  const lines = decl.env.map((v) =>
    [v.name, typeColumn(v), v.secret ? "secret" : "-", v.target, v.default ? v.default : "-"].join("\t"),
  );
  return `# ${HEADER(decl.name)}\n# NAME\tTYPE\tSECRET\tTARGET\tDEFAULT\n${lines.join("\n")}\n`;
}

/** `.env.example`: every variable the image understands, documented, with its default. */
export function renderEnvExample(decl: RuntimeDeclaration): string {
  const blocks = decl.env.map((v) => {
    const where = v.target === "env" ? `read by ${decl.title} itself` : `rendered into ${v.target}`;
    const type = v.type === "enum" ? `one of ${(v.values ?? []).join(", ")}` : v.type;
    const notes = [type, where, v.secret ? `secret; or ${v.name}_FILE=/path` : undefined].filter(Boolean).join("; ");
    const line = v.name.includes("*") ? `# ${v.name}=` : `# ${v.name}=${v.default ?? ""}`;
    return `# ${v.doc} (${notes})\n${line}`;
  });
  return `# ${decl.title} image environment — ${HEADER(decl.name)}\n# A '*' in a name stands for any alias (see the runtime's docs).\n\n${blocks.join("\n\n")}\n`;
}

/**
 * `Dockerfile.dockerignore`: the build context is all of `runtimes/`, so that every image
 * sees `shared/`; this keeps each image's context to `shared/` and its own folder, so a
 * change to one runtime neither rebuilds nor re-uploads the others.
 */
export function renderDockerignore(decl: RuntimeDeclaration): string {
  return `# ${HEADER(decl.name)}
*
!shared/
shared/standin/standin.c
!${decl.name}/
`;
}

/**
 * Every generated file of a runtime, by path relative to `runtimes/<name>/`; `buildFragment`
 * is the text of its `Dockerfile.build` (the build stages the template wraps).
 */
export function contractFiles(decl: RuntimeDeclaration, buildFragment: string): Record<string, string> {
  return {
    "runtime.conf": renderRuntimeConf(decl),
    "env.contract": renderEnvContract(decl),
    ".env.example": renderEnvExample(decl),
    Dockerfile: renderDockerfile(decl, buildFragment),
    "Dockerfile.dockerignore": renderDockerignore(decl),
  };
}
