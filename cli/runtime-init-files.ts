/**
 * The files `clawlab runtime init` writes for a new runtime: its declaration, translator,
 * entrypoint, baked config, build fragment and image test. They are valid as written (the
 * image builds with the test stand-in and passes the generic image checks); what only
 * upstream can tell is marked `TODO(upstream)`. The generated files (Dockerfile,
 * runtime.conf, …) come from `runtimes/generate.ts` afterwards.
 */
import { translatorIdent } from "../runtimes/registry-files";
import { BASE_IMAGE, CLONE_DIRECTIVE } from "../runtimes/dockerfile";
import type { NativeConfig } from "../runtimes/types";

/** A config format of the canonical baked layouts (runtimes/shared/README.md). */
export type ConfigFormat = NativeConfig["format"];
export const CONFIG_FORMATS: readonly ConfigFormat[] = ["toml", "json", "yaml", "dotenv"];

/** What the scaffold is made of: the name and the facts chosen for it. */
export interface ScaffoldFacts {
  /** The runtime's name (a lower-case DNS label). */
  readonly name: string;
  /** The declaration's TypeScript identifier (`my-claw` → `myClaw`). */
  readonly ident: string;
  /** The display name (`my-claw` → `MyClaw`). */
  readonly title: string;
  /** The runtime user's uid: the next after the highest declared. */
  readonly uid: number;
  /** A port no declared runtime uses. */
  readonly port: number;
  /** The baked config's format. */
  readonly format: ConfigFormat;
}

/** A file to write: its text and mode. */
export interface ScaffoldFile {
  readonly content: string;
  readonly mode: number;
}

/** The translator's function name. */
export function translatorName(f: ScaffoldFacts): string {
  return translatorIdent(f.name);
}

/** The baked config's file name in `runtimes/<name>/`. */
function bakedFile(format: ConfigFormat): string {
  return `config.${format === "dotenv" ? "env" : format}`;
}

/** The one sample variable's target: a top-level key (dotenv keys are upper case by habit). */
function sampleKey(format: ConfigFormat): string {
  return format === "dotenv" ? "LOG_LEVEL" : "log_level";
}

const LEVELS = ["debug", "info", "warn", "error"];

/** The baked default in the canonical layout of its format, holding the sample target. */
function bakedConfig(f: ScaffoldFacts): string {
  const note = [
    `${f.title}'s baked default config: the entrypoint renders the runtime's config from it and`,
    "the environment at every start (runtimes/shared/README.md, the canonical baked layouts).",
    `TODO(upstream): ${f.title}'s own defaults; keep every env.contract target a value line.`,
  ];
  const comment = note.map((l) => `# ${l}\n`).join("");
  switch (f.format) {
    case "toml":
      return `${comment}${sampleKey(f.format)} = "info"\n`;
    case "yaml":
      return `${comment}${sampleKey(f.format)}: info\n`;
    case "dotenv":
      return `${comment}${sampleKey(f.format)}=info\n`;
    case "json": // no comments in JSON: the note is in declaration.ts
      return `{\n  "${sampleKey(f.format)}": "info"\n}\n`;
  }
}

/** The start command: the image's CMD and the entrypoint's CLAW_COMMAND. */
function command(f: ScaffoldFacts): string[] {
  return [f.name, "serve"];
}

function declaration(f: ScaffoldFacts): string {
  const state = `/var/lib/${f.name}`;
  const envName = `${f.name.toUpperCase().replace(/-/g, "_")}_LOG_LEVEL`;
  const configPath = f.format === "dotenv" ? `${state}/.env` : `${state}/${bakedFile(f.format)}`;
  return `import type { RuntimeDeclaration } from "../types";

/**
 * ${f.title}: scaffolded by \`clawlab runtime init ${f.name}\`. What only upstream can tell is
 * marked TODO(upstream); until then the image builds and passes the image checks with the
 * test stand-in, and a real build stops in Dockerfile.build. After an edit, run
 * \`npm run generate\` (Dockerfile, runtime.conf, env.contract, .env.example).
 */
export const ${f.ident}: RuntimeDeclaration = {
  name: "${f.name}",
  title: "${f.title}",
  // TODO(upstream): the source repository, the release tag the image builds and its commit.
  upstream: "https://github.com/TODO/${f.name}",
  defaultVersion: "v0.0.0",
  defaultRevision: "0000000000000000000000000000000000000000",
  // TODO(upstream): the port ${f.title} listens on (${f.port}: free among the declared runtimes).
  port: ${f.port},
  // The next uid after the highest one declared.
  user: { name: "${f.name}", uid: ${f.uid} },
  stateDir: "${state}",
  workspaceDir: "${state}/workspace",
  // TODO(upstream): where ${f.title} reads its config (entrypoint.sh or image.env must point it there).
  config: { format: "${f.format}", baked: "${bakedFile(f.format)}", path: "${configPath}" },
  // TODO(upstream): ${f.title}'s health endpoint and a fragment only its healthy answer holds.
  health: { kind: "http", path: "/health", bodyContains: '"status":"ok"', startPeriodSeconds: 20 },
  readOnlyRootFilesystem: true,
  memoryMiB: 512,
  // TODO(upstream): the providers and channels ${f.title} supports (translate.ts maps them).
  providers: [],
  channels: [],
  emptyAllowListIsOpen: false,
  generatedSecrets: [],
  env: [
    // A sample, rendered into ${bakedFile(f.format)}. TODO(upstream): the variables ${f.title} takes.
    { name: "${envName}", type: "enum", values: ${JSON.stringify(LEVELS).replace(/,/g, ", ")}, target: "${sampleKey(f.format)}", default: "info", doc: "log level" },
  ],
  image: {
    // TODO(upstream): upstream's license as an SPDX expression.
    licenses: "NOASSERTION",
    // TODO(upstream): the start command; the same as CLAW_COMMAND in entrypoint.sh.
    command: ${JSON.stringify(command(f)).replace(/,/g, ", ")},
  },
};
`;
}

function translator(f: ScaffoldFacts): string {
  return `import type { ContainerEnv, TranslateInput } from "../types";

/**
 * Canonical → ${f.title}'s environment contract (declaration.ts \`env\`).
 * TODO(upstream): map the provider (type, API key, base URL), the model and the channels
 * onto the variables ${f.title} reads; pass secrets on as they are, never look inside.
 */
export function ${translatorName(f)}<S>(_input: TranslateInput<S>): ContainerEnv<S> {
  return {};
}
`;
}

function entrypoint(f: ScaffoldFacts): string {
  return `#!/bin/sh
# ${f.title}'s entrypoint: the shared library (runtimes/shared/README.md) validates the
# contract, renders ${bakedFile(f.format)} from the baked default and the environment at every
# start, drops to the runtime user and execs the runtime.
# shellcheck source=../shared/clawlab-entrypoint.sh
. /usr/local/lib/clawlab/clawlab-entrypoint.sh

# Optional, runtime-specific steps (redefine after sourcing):
# claw_hook_root()     { :; }  # as root, before the ownership fix and the drop
# claw_hook_pre_exec() { :; }  # as the runtime user, after rendering, before exec

claw_main "$@"
`;
}

function buildFragment(f: ScaffoldFacts): string {
  return `# ${f.title}'s build: the pinned clone of SOURCE at VERSION (commit REVISION), then the
# build, which must install the runtime at /out/${f.name} (image.artifacts copies it from
# there; the test stand-in takes its place). TODO(upstream): the toolchain image and the
# build; until then a real build stops here, and the tests build with ARTIFACT_STAGE=standin.
ARG BUILD_IMAGE=${BASE_IMAGE}

FROM \${BUILD_IMAGE} AS build
ARG VERSION
ARG REVISION
ARG SOURCE
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates git \\
 && rm -rf /var/lib/apt/lists/*
${CLONE_DIRECTIVE}
# TODO(upstream): build, then install -D -m 0755 <the binary> /out/${f.name} && /out/${f.name} --version
RUN echo "runtimes/${f.name}/Dockerfile.build: the build is not written yet" >&2; exit 1
`;
}

/** `tests/images/<name>.test.ts`: the generic image suite on the new runtime. */
export function imageTest(f: ScaffoldFacts): string {
  return `/** ${f.title}'s image on a real engine: the generic suite (scaffolded by \`clawlab runtime init\`). */
import { ${f.ident} } from "../../runtimes/${f.name}/declaration";
import { describeRuntimeImage } from "./runtime-suite";

describeRuntimeImage(${f.ident});
`;
}

/** The hand-written files of `runtimes/<name>/`, by file name. */
export function scaffoldFiles(f: ScaffoldFacts): Record<string, ScaffoldFile> {
  return {
    "declaration.ts": { content: declaration(f), mode: 0o644 },
    "translate.ts": { content: translator(f), mode: 0o644 },
    "entrypoint.sh": { content: entrypoint(f), mode: 0o755 },
    [bakedFile(f.format)]: { content: bakedConfig(f), mode: 0o644 },
    "Dockerfile.build": { content: buildFragment(f), mode: 0o644 },
  };
}
