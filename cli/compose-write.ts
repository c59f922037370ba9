/**
 * `clawlab compose [--config F] [--out DIR] [--host H] [--stack S] [--no-env-files]`: writes
 * `DIR/docker-compose.fleet.yml` (cli/compose.ts) and `DIR/.clawlab/<service>.env`
 * (cli/compose-env.ts). All or nothing: everything is made and checked first, written to
 * temporary files beside their targets and only then renamed into place, env files before
 * the Compose file that names them. An env file is created 0600 (never readable by others,
 * not even while it is written) in a 0700 folder; an existing folder or file that is not
 * what clawlab writes (a symlink, say) is refused rather than followed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadCanonical } from "../components/config/load";
import type { FleetSpec, RuntimeSpec } from "../components/config/validate";
import { HOST_DOCKER_SOCKET } from "../components/container-settings";
import { COMPOSE_FILE, DOCKER_GID_VARIABLE, ENV_DIR, envFilePath, renderCompose, servicesOf } from "./compose";
import { type ComposeEnvOptions, renderEnvFiles } from "./compose-env";
import { count } from "./text";

/** A problem with the command line or the output folder (config problems are ConfigErrors). */
export class ComposeError extends Error {}

/** What `clawlab compose` was asked for. */
export interface ComposeCommandOptions extends Omit<ComposeEnvOptions, "previous"> {
  /** Where the files go; must be an existing folder. */
  readonly outDir: string;
  /** The host whose runtimes to take; needed only when the fleet spans several. */
  readonly host?: string;
  /** False: write the Compose file only (no secret is read). */
  readonly envFiles: boolean;
}

/** The repository's `runtimes/`, the build context of every image. */
const RUNTIMES_DIR = path.join(__dirname, "..", "runtimes");

/**
 * Makes and writes the files; returns the summary for stdout and notes for stderr.
 * @throws ConfigError for the config and its secrets, ComposeError for the command line and the folder
 */
export function composeCommand(options: ComposeCommandOptions): { stdout: string; notes: string[] } {
  const spec = loadCanonical(options.configFile);
  const runtimes = pickRuntimes(spec, options.host);
  const outDir = path.resolve(options.outDir);
  const outStat = fs.statSync(outDir, { throwIfNoEntry: false });
  if (!outStat?.isDirectory()) throw new ComposeError(`--out ${JSON.stringify(options.outDir)}: ${outStat ? "not a directory" : "no such directory"}`);

  const context = path.relative(outDir, RUNTIMES_DIR).split(path.sep).join("/") || ".";
  const files = [
    {
      path: COMPOSE_FILE,
      text: renderCompose(spec, runtimes, {
        configFile: options.configFile,
        host: options.host,
        buildContext: context.startsWith("..") || context === "." ? context : `./${context}`,
      }),
      secret: false,
    },
  ];
  const notes: string[] = [];
  const envDir = path.join(outDir, ENV_DIR);
  if (options.envFiles) {
    expectKind(envDir, "directory");
    const env = renderEnvFiles(spec, runtimes, {
      ...options,
      previous: (file) => {
        const at = path.join(outDir, file);
        return expectKind(at, "file") ? fs.readFileSync(at, "utf8") : undefined;
      },
    });
    files.unshift(...env.files.map((file) => ({ ...file, secret: true })));
    notes.push(...env.notes);
  } else {
    const missing = runtimes.flatMap(servicesOf).map(envFilePath).filter((file) => !fs.existsSync(path.join(outDir, file)));
    if (missing.length > 0) notes.push(`not written yet (run without --no-env-files): ${missing.join(", ")}`);
  }
  notes.push(...warnings(spec, runtimes));

  writeAll(outDir, files);
  const shown = (file: string) => path.relative(process.cwd(), path.join(outDir, file)) || file;
  const services = runtimes.flatMap(servicesOf).length;
  const lines = [
    `wrote ${shown(COMPOSE_FILE)}: ${count(runtimes.length, "runtime")}, ${count(services, "service")}`,
    ...files.filter((f) => f.secret).map((f) => `wrote ${shown(f.path)} (mode 0600)`),
    `start: docker compose -f ${shown(COMPOSE_FILE)} up -d --wait`,
  ];
  return { stdout: `${lines.join("\n")}\n`, notes };
}

/** The enabled runtimes of the one host the file is for. */
function pickRuntimes(spec: FleetSpec, host: string | undefined): RuntimeSpec[] {
  if (host !== undefined) {
    if (!spec.hosts[host]) throw new ComposeError(`--host ${JSON.stringify(host)}: no such host in [hosts] (known: ${Object.keys(spec.hosts).join(", ")})`);
    const picked = spec.runtimes.filter((r) => r.host === host);
    if (picked.length === 0) throw new ComposeError(`no enabled runtime runs on host ${host}`);
    return picked;
  }
  const hosts = [...new Set(spec.runtimes.map((r) => r.host))];
  if (hosts.length === 0) throw new ComposeError("no runtime is enabled: nothing to compose");
  if (hosts.length > 1) {
    // Ports are claimed per host, so two hosts' runtimes may not fit on one engine.
    throw new ComposeError(`the enabled runtimes run on ${hosts.length} hosts (${hosts.join(", ")}); a Compose file is for one engine: pick one with --host`);
  }
  return [...spec.runtimes];
}

/** What the operator should know about the file: the socket opt-in, and what Compose leaves out. */
function warnings(spec: FleetSpec, runtimes: readonly RuntimeSpec[]): string[] {
  const notes: string[] = [];
  for (const runtime of runtimes.filter((r) => r.dockerSocket)) {
    const gid = fs.statSync(HOST_DOCKER_SOCKET, { throwIfNoEntry: false })?.gid;
    notes.push(
      `warning: ${runtime.name}: docker_socket = true mounts the host's Docker socket; anyone who controls ` +
        `this runtime's agents controls the host as root. Its user needs the socket's group: ` +
        `export ${DOCKER_GID_VARIABLE}=${gid ?? `$(stat -c %g ${HOST_DOCKER_SOCKET})`} before \`docker compose up\``,
    );
  }
  if (spec.devices.length > 0) {
    notes.push(`note: ${count(spec.devices.length, "MimiClaw device")} not in the Compose file: devices are flashed and bridged by \`pulumi up\``);
  }
  return notes;
}

/**
 * True when `at` is an existing `kind`, false when nothing is there.
 * @throws ComposeError for anything else (a symlink is never followed)
 */
function expectKind(at: string, kind: "file" | "directory"): boolean {
  const stat = fs.lstatSync(at, { throwIfNoEntry: false });
  if (!stat) return false;
  if (kind === "file" ? stat.isFile() : stat.isDirectory()) return true;
  throw new ComposeError(`${at}: expected a ${kind} written by clawlab compose, found something else; move it away`);
}

/** Writes every file to a temporary name beside its target, then renames them all into place. */
function writeAll(outDir: string, files: readonly { path: string; text: string; secret: boolean }[]): void {
  const written: { temp: string; target: string }[] = [];
  try {
    if (files.some((f) => f.secret) && !fs.existsSync(path.join(outDir, ENV_DIR))) fs.mkdirSync(path.join(outDir, ENV_DIR), { mode: 0o700 });
    for (const file of files) {
      const target = path.join(outDir, file.path);
      const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
      // O_EXCL: a leftover or planted file (or symlink) at the temporary name is never written through.
      const fd = fs.openSync(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, file.secret ? 0o600 : 0o644);
      written.push({ temp, target });
      try {
        // The umask may only have narrowed the mode; an env file must be exactly owner read/write.
        if (file.secret) fs.fchmodSync(fd, 0o600);
        fs.writeFileSync(fd, file.text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  } catch (error) {
    for (const { temp } of written) fs.rmSync(temp, { force: true });
    throw new ComposeError(`cannot write to ${outDir}: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const { temp, target } of written) fs.renameSync(temp, target);
}
