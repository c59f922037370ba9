/**
 * The one image template: renders `runtimes/<name>/Dockerfile` from the runtime's
 * declaration (user, state dir, port, health, config, `image` facts) and its build
 * fragment `runtimes/<name>/Dockerfile.build` (the build stage(s), plain Dockerfile text).
 * The Dockerfile stays a committed file, since the fleet and people build it with a plain
 * `docker build` and Dockerfile has no include; `npm run generate` writes it and
 * `tsx runtimes/generate.ts --check` (part of `npm test`) fails when it is stale.
 */
import { IMAGE_ENTRYPOINT, IMAGE_HEALTH_COMMAND, IMAGE_SHARE_DIR, imageEntrypoint } from "./image";
import type { RuntimeDeclaration } from "./types";

/** The runtime stage's base: Debian bookworm slim, pinned by digest (the tests pass their local base). */
export const BASE_IMAGE = "debian:bookworm-slim@sha256:7b140f374b289a7c2befc338f42ebe6441b7ea838a042bbd5acbfca6ec875818";

/** The build fragment's file name in `runtimes/<name>/`. */
export const BUILD_FRAGMENT = "Dockerfile.build";

/**
 * A fragment line that expands to the pinned clone (`WORKDIR /src`, then a shallow clone
 * of `$SOURCE` at `$VERSION` that must be commit `$REVISION`): one text for every runtime
 * that builds from upstream's git tag, so the commit check cannot drift between them.
 */
export const CLONE_DIRECTIVE = "# @clawlab clone";

const CLONE = `# The pinned clone (${CLONE_DIRECTIVE}, runtimes/dockerfile.ts): the tag must be commit REVISION.
WORKDIR /src
RUN git -c advice.detachedHead=false clone --depth 1 --branch "$VERSION" "$SOURCE.git" . \\
 && actual=$(git rev-parse HEAD) \\
 && if [ -z "$REVISION" ]; then echo "WARNING: REVISION is empty: $VERSION is not checked against a commit" >&2; \\
    elif [ "$actual" != "$REVISION" ]; then echo "$VERSION is commit $actual, expected REVISION=$REVISION" >&2; exit 1; fi`;

/** A stage separator, as every ClawLab Dockerfile draws them. */
const rule = (what: string) => `# ---------------------------------------------------------------- ${what}`;

/** A Dockerfile double-quoted string; `expand` keeps `${ARG}` references (labels may use build args). */
function quote(value: string, expand = false): string {
  return `"${value.replace(expand ? /[\\"]/g : /[\\"$]/g, "\\$&")}"`;
}

/** An ENV value: bare when that is unambiguous, else quoted (never expanded). */
function envValue(value: string): string {
  return /^[A-Za-z0-9_.,:/@%+=-]+$/.test(value) ? value : quote(value);
}

/** `KEY=value` pairs of one instruction, one a line, continued with the instruction's indent. */
function pairs(instruction: string, entries: readonly string[]): string {
  return `${instruction} ${entries.join(` \\\n${" ".repeat(instruction.length + 1)}`)}`;
}

/** Text as `# ` comment lines of at most 90 characters. */
function comment(text: string): string {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    if (lines.length && `${lines[lines.length - 1]} ${word}`.length <= 90) lines[lines.length - 1] += ` ${word}`;
    else lines.push(`# ${word}`);
  }
  return lines.join("\n");
}

/** Shell commands as one `&&` chain, continued on the next lines. */
function chain(commands: readonly string[], indent = " "): string {
  return commands.join(` \\\n${indent}&& `);
}

/** The fragment with its directives expanded; refuses one that would clash with the template. */
export function expandFragment(name: string, fragment: string): string {
  const where = `runtimes/${name}/${BUILD_FRAGMENT}`;
  if (!/^FROM \S+ AS build$/m.test(fragment)) throw new Error(`${where}: no stage named build (the artifact stage's default)`);
  const clash = /^(?:ARG (VERSION|REVISION|SOURCE|BASE_IMAGE|ARTIFACT_STAGE)=|FROM .* AS (standin|artifact|runtime)$)/m.exec(fragment);
  if (clash) throw new Error(`${where}: ${clash[0]} belongs to the template (runtimes/dockerfile.ts)`);
  return fragment.split("\n").map((line) => (line === CLONE_DIRECTIVE ? CLONE : line)).join("\n");
}

/** The header: what the file is, where it comes from, how to build it. */
function header(decl: RuntimeDeclaration): string {
  return `# ClawLab image of ${decl.title} (${decl.upstream}).
# Generated from runtimes/${decl.name}/declaration.ts and runtimes/${decl.name}/${BUILD_FRAGMENT} by the
# template in runtimes/dockerfile.ts: edit those, then regenerate with \`npm run generate\`.
#
# Build with the runtimes/ folder as context (BuildKit: DOCKER_BUILDKIT=1):
#   docker build -f runtimes/${decl.name}/Dockerfile -t clawlab/${decl.name}:${decl.defaultVersion} runtimes/
# Stages: the build stage(s) of ${BUILD_FRAGMENT} -> artifact (= build, or the test stand-in:
# --build-arg ARTIFACT_STAGE=standin) -> runtime. BuildKit builds only the stages the runtime
# stage needs, so a stand-in build never touches the toolchain. \`--build-arg VERSION=<tag>
# --build-arg REVISION=<commit>\` builds another upstream version: change them together
# (REVISION= skips the commit check, not advised).

ARG VERSION=${decl.defaultVersion}
ARG REVISION=${decl.defaultRevision ?? ""}
ARG SOURCE=${decl.upstream}
ARG BASE_IMAGE=${BASE_IMAGE}
ARG ARTIFACT_STAGE=build`;
}

/** The test stand-in and the artifact switch: the runtime stage copies from `artifact` only. */
function artifactStages(decl: RuntimeDeclaration): string {
  const standin = decl.image.standin ?? [`/out/${decl.name}`];
  return `${rule("standin (tests only)")}
FROM scratch AS standin
${standin.map((p) => `COPY shared/standin/out/clawlab-standin ${p}`).join("\n")}

${rule("artifact")}
FROM \${ARTIFACT_STAGE} AS artifact`;
}

/** The runtime stage: the same for every runtime, filled in from the declaration. */
function runtimeStage(decl: RuntimeDeclaration): string {
  const { name, user, stateDir, image } = decl;
  const uid = user.uid;
  const artifacts = image.artifacts ?? { [`/out/${name}`]: `/usr/local/bin/${name}` };
  const packages = ["tini", "ca-certificates", ...(image.packages ?? [])];
  const description =
    image.description ?? `${decl.title} packaged by ClawLab: non-root, ${decl.readOnlyRootFilesystem ? "read-only root filesystem, " : ""}state in one volume`;
  const labels = [
    `org.opencontainers.image.title=${quote(`ClawLab ${decl.title}`)}`,
    `org.opencontainers.image.description=${quote(description)}`,
    'org.opencontainers.image.source="${SOURCE}"',
    'org.opencontainers.image.version="${VERSION}"',
    'org.opencontainers.image.revision="${REVISION}"',
    `org.opencontainers.image.licenses=${quote(image.licenses)}`,
    ...Object.entries(image.labels ?? {}).map(([k, v]) => `${k}=${quote(v, true)}`),
    'org.clawlab.artifact="${ARTIFACT_STAGE}"',
  ];
  const copies = [
    "COPY shared/clawlab-entrypoint.sh shared/render.awk /usr/local/lib/clawlab/",
    `COPY shared/clawlab-health ${IMAGE_HEALTH_COMMAND}`,
    // clawlab-health hands a probe kind other than http to health-<kind>.sh.
    ...(decl.health.kind === "http" ? [] : [`COPY ${name}/health-${decl.health.kind}.sh /usr/local/lib/clawlab/health-${decl.health.kind}.sh`]),
    `COPY ${name}/entrypoint.sh ${IMAGE_ENTRYPOINT}`,
    ...Object.entries(image.files ?? {}).map(([file, to]) => `COPY ${name}/${file} ${to}`),
    `COPY ${name}/runtime.conf ${name}/env.contract ${name}/${decl.config.baked} ${IMAGE_SHARE_DIR}/`,
  ];
  const steps = [
    ...(image.setup ?? []),
    ...(image.checks?.length ? [`if [ "$ARTIFACT_STAGE" != standin ]; then \\\n      ${chain(image.checks, "      ")}; \\\n    fi`] : []),
  ];
  const selfTest = comment(
    `Self-test: ${image.setup?.length ? "after the setup (image.setup), " : ""}${image.checks?.length ? "the real artifact runs here (image.checks; not the stand-in), and " : ""}` +
      "the contract and the baked config agree (every file target exists, a render with no overrides reproduces the baked file byte for byte).",
  );
  // Without steps, the exec form: no shell between the build and the self-test.
  const selfTestRun = steps.length
    ? `RUN ${chain([...steps, `${IMAGE_ENTRYPOINT} check-baked`])}`
    : `RUN ["${IMAGE_ENTRYPOINT}", "check-baked"]`;
  const env = Object.entries(image.env ?? {});
  return `${rule("runtime (the shared template: runtimes/dockerfile.ts)")}
FROM \${BASE_IMAGE} AS runtime
ARG VERSION
ARG REVISION
ARG SOURCE
${(image.args ?? []).map((a) => `ARG ${a}\n`).join("")}ARG ARTIFACT_STAGE
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
# tini as PID 1; CA roots for TLS; no docs, man pages or translations.
${image.packages?.length ? `# What ${decl.title} needs besides (image.packages): ${image.packages.join(" ")}.\n` : ""}# The user has no login shell and no sudo; setuid/setgid bits are stripped from the whole image.
RUN printf '%s\\n' 'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright' 'path-exclude=/usr/share/man/*' \\
      'path-exclude=/usr/share/locale/*' >/etc/dpkg/dpkg.cfg.d/clawlab-nodoc \\
 && apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(" ")} \\
 && apt-get clean \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old /var/lib/dpkg/*-old \\
      /var/log/apt /var/log/dpkg.log /var/log/alternatives.log /usr/bin/tini-static \\
 && groupadd --system --gid ${uid} ${user.name} \\
 && useradd --system --uid ${uid} --gid ${uid} --home-dir ${stateDir} --no-create-home --shell /usr/sbin/nologin ${user.name} \\
 && install -d -m 0700 -o ${uid} -g ${uid} ${stateDir} \\
 && find / -xdev -type f -perm /6000 -exec chmod a-s {} +
${copies.join("\n")}
# The runtime, owned by root: the runtime user cannot change it.
${Object.entries(artifacts).map(([from, to]) => `COPY --from=artifact ${from} ${to}`).join("\n")}
${selfTest}
${selfTestRun}

${pairs("LABEL", labels)}
${env.length ? `# The runtime's environment (image.env in its declaration.ts); never a secret in ENV.\n${pairs("ENV", env.map(([k, v]) => `${k}=${envValue(v)}`))}\n` : ""}WORKDIR ${stateDir}
EXPOSE ${decl.port}
VOLUME ["${stateDir}"]
HEALTHCHECK --interval=10s --timeout=5s --start-period=${decl.health.startPeriodSeconds}s --retries=3 CMD ["${IMAGE_HEALTH_COMMAND}"]
${image.stopSignal ? `# ${decl.title} shuts down cleanly on ${image.stopSignal} only (image.stopSignal).\nSTOPSIGNAL ${image.stopSignal}\n` : ""}USER ${uid}:${uid}
${image.stopExitCode === undefined ? "" : `# ${decl.title} has no handler for its stop signal: it exits ${image.stopExitCode}, which tini reports as 0.
`}ENTRYPOINT [${imageEntrypoint(decl).map((word) => `"${word}"`).join(", ")}]
CMD [${image.command.map((w) => JSON.stringify(w)).join(", ")}]
`;
}

/** `runtimes/<name>/Dockerfile`: the header, the build fragment, the stand-in and artifact stages, the runtime stage. */
export function renderDockerfile(decl: RuntimeDeclaration, fragment: string): string {
  return `${header(decl)}

${rule(`build (runtimes/${decl.name}/${BUILD_FRAGMENT})`)}
${expandFragment(decl.name, fragment).trim()}

${artifactStages(decl)}

${runtimeStage(decl)}`;
}
