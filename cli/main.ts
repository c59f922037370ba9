/**
 * The `clawlab` command: checks a canonical config and prints a runtime's environment,
 * with the same loader, validator and translators as the Pulumi program.
 *
 * Exit status: 0 done, 1 a problem with the config, a secret or the runtime named (for
 * status: the stack outputs could not be read), 2 a usage error, 3 status: something is
 * unhealthy. Results go to stdout only on success (status's report too when it is 3, since
 * the report is the result); every problem goes to stderr.
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../components/config/errors";
import { loadCanonical } from "../components/config/load";
import { RUNTIME_NAMES } from "../runtimes/types";
import { renderSummary } from "./check";
import { ComposeError, composeCommand } from "./compose-write";
import { renderRuntimeEnv } from "./env";
import { pulumiConfigGet } from "./pulumi-config";
import { RuntimeInitError, runtimeInitCommand } from "./runtime-init";
import { DEFAULT_PROBE_TIMEOUT_MS } from "./status";
import { STATUS_FLAGS, runStatus, statusOptions } from "./status-command";

export const USAGE = `Usage: clawlab <command> [options]

Commands:
  check [--config FILE]            check the canonical config and summarise the fleet:
                                   runtimes, devices and the secrets a stack must provide
  env RUNTIME [--config FILE] [--show-secrets] [--stack NAME]
                                   print RUNTIME's container environment as a dotenv file
                                   (Docker Compose env_file format), secrets masked as ***
  compose [--config FILE] [--out DIR] [--host NAME] [--stack NAME] [--no-env-files]
                                   write DIR/docker-compose.fleet.yml (default DIR: .) and its
                                   env files DIR/.clawlab/<service>.env (0600): secrets read as
                                   env --show-secrets reads them, generated tokens kept
  status [--outputs FILE] [--stack NAME] [--json] [--timeout MS]
                                   probe every runtime's and device bridge's health endpoint;
                                   exit 0 all healthy, 3 anything unhealthy or not checkable
  runtime init NAME [--root DIR] [--format toml|json|yaml|dotenv]
                                   scaffold runtimes/NAME/ from the shared image template
                                   (DIR: the repository root, default .), register it, generate

Options:
  --config FILE    the canonical config (default: clawlab.toml)
  --show-secrets   env: print secret values: { env = "X" } from this environment,
                   { secret = "key" } with \`pulumi config get key\` (needs the pulumi CLI);
                   values only a stack knows (generated tokens) are left unset
  --stack NAME     env, compose: the Pulumi stack to read { secret } values from (default: the selected one);
                   status: the stack whose outputs \`pulumi stack output --json\` prints
  --outputs FILE   status: read the outputs from FILE (what \`pulumi stack output --json\` prints)
  --json           status: print a JSON document instead of the table
  --timeout MS     status: per-probe timeout in ms (default ${DEFAULT_PROBE_TIMEOUT_MS})
  --out DIR        compose: the folder to write to (default: the current one)
  --host NAME      compose: the host whose runtimes to write, when they run on several
  --no-env-files   compose: write docker-compose.fleet.yml only (reads no secret)
  -h, --help       print this help

Runtimes: ${RUNTIME_NAMES.join(", ")}
`;

/** A problem the user fixes; printed without a stack trace. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** Where output goes and what the process sees; swapped in tests. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** stdout is a terminal (status colours its table only then). */
  readonly stdoutIsTTY?: boolean;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stdoutIsTTY: process.stdout.isTTY === true,
};

/** Runs one command line and returns the exit status. */
export async function run(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    const output = await dispatch(argv, io);
    for (const note of output.notes) io.stderr(`clawlab: ${note}\n`);
    io.stdout(output.stdout);
    return output.exitCode ?? 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    if (error instanceof CliError) {
      io.stderr(`clawlab: ${error.message}\n${error.exitCode === 2 ? `\n${USAGE}` : ""}`);
      return error.exitCode;
    }
    // Anything else is a bug in clawlab: keep the trace for the report.
    io.stderr(`clawlab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 70;
  }
}

interface Output {
  readonly stdout: string;
  readonly notes: readonly string[];
  /** Default 0. */
  readonly exitCode?: number;
}

async function dispatch(argv: readonly string[], io: Io): Promise<Output> {
  const [command, ...rest] = argv;
  if (command === undefined) throw new CliError("no command given", 2);
  if (command === "-h" || command === "--help" || command === "help") return { stdout: USAGE, notes: [] };
  switch (command) {
    case "check": {
      const { values, positionals } = parse(rest, {});
      if (values.help) return { stdout: USAGE, notes: [] };
      if (positionals.length > 0) throw new CliError(`check takes no arguments (got ${quoteArg(positionals[0]!)})`, 2);
      const file = values.config ?? "clawlab.toml";
      return { stdout: renderSummary(loadCanonical(file), file), notes: [] };
    }
    case "env": {
      const { values, positionals } = parse(rest, {
        "show-secrets": { type: "boolean" },
        stack: { type: "string" },
      });
      if (values.help) return { stdout: USAGE, notes: [] };
      if (positionals.length !== 1) {
        throw new CliError(positionals.length === 0 ? "env needs a runtime" : `env takes one runtime (got ${positionals.map(quoteArg).join(" ")})`, 2);
      }
      const name = positionals[0]!;
      if (!(RUNTIME_NAMES as readonly string[]).includes(name)) {
        throw new CliError(`unknown runtime ${quoteArg(name)}; known: ${RUNTIME_NAMES.join(", ")}`, 1);
      }
      const file = values.config ?? "clawlab.toml";
      const spec = loadCanonical(file); // the program's own loader and checks
      const runtime = spec.runtimes.find((r) => r.name === name);
      if (!runtime) {
        const enabled = spec.runtimes.map((r) => r.name).join(", ") || "none";
        throw new CliError(`runtime ${name} is not enabled in ${quoteArg(file)} (enabled: ${enabled})`, 1);
      }
      const env = renderRuntimeEnv(spec, runtime, {
        configFile: file,
        showSecrets: values["show-secrets"] === true,
        stack: values.stack as string | undefined,
        env: io.env,
        configGet: pulumiConfigGet,
      });
      return { stdout: env.text, notes: env.notes };
    }
    case "status": {
      const { values, positionals } = parse(rest, STATUS_FLAGS);
      if (values.help) return { stdout: USAGE, notes: [] };
      if (positionals.length > 0) throw new CliError(`status takes no arguments (got ${quoteArg(positionals[0]!)})`, 2);
      const options = statusOptions(values, io.stdoutIsTTY === true && !io.env.NO_COLOR);
      if (typeof options === "string") throw new CliError(options, 2);
      const result = await runStatus(options);
      return { stdout: result.stdout, notes: [], exitCode: result.exitCode };
    }
    case "compose": {
      const flags = { out: { type: "string" }, host: { type: "string" }, stack: { type: "string" }, "no-env-files": { type: "boolean" } } as const;
      const { values, positionals } = parse(rest, flags);
      if (values.help) return { stdout: USAGE, notes: [] };
      if (positionals.length > 0) throw new CliError(`compose takes no arguments (got ${quoteArg(positionals[0]!)})`, 2);
      const str = (flag: string) => values[flag] as string | undefined;
      const options = { configFile: str("config") ?? "clawlab.toml", outDir: str("out") ?? ".", host: str("host"), stack: str("stack") };
      try {
        return composeCommand({ ...options, envFiles: values["no-env-files"] !== true, env: io.env, configGet: pulumiConfigGet });
      } catch (error) {
        throw error instanceof ComposeError ? new CliError(error.message, 1) : error;
      }
    }
    case "runtime": {
      const { values, positionals } = parse(rest, { root: { type: "string" }, format: { type: "string" } });
      if (values.help) return { stdout: USAGE, notes: [] };
      const [sub, name, ...extra] = positionals;
      if (sub !== "init") throw new CliError(sub === undefined ? "runtime needs a subcommand: init" : `unknown runtime subcommand ${quoteArg(sub)}`, 2);
      if (name === undefined || extra.length > 0) throw new CliError("runtime init takes one name", 2);
      try {
        return runtimeInitCommand(name, { root: (values.root as string | undefined) ?? ".", format: values.format as string | undefined });
      } catch (error) {
        throw error instanceof RuntimeInitError ? new CliError(error.message, error.exitCode) : error;
      }
    }
    default:
      throw new CliError(`unknown command ${quoteArg(command)}`, 2);
  }
}

/** The command's flags plus the shared ones; a parse problem is a usage error. */
function parse(args: readonly string[], extra: NonNullable<Parameters<typeof parseArgs>[0]>["options"]) {
  try {
    return parseArgs({
      args: [...args],
      options: { config: { type: "string" }, help: { type: "boolean", short: "h" }, ...extra },
      allowPositionals: true,
      strict: true,
    }) as { values: { config?: string; help?: boolean; [flag: string]: string | boolean | undefined }; positionals: string[] };
  } catch (error) {
    // node:util's messages name the flag and say what is wrong with it.
    throw new CliError(error instanceof Error ? error.message.split("\n")[0]!.replace(/\. To specify a positional.*$/, "") : String(error), 2);
  }
}

/** An argument as the user typed it, safe to echo. */
function quoteArg(arg: string): string {
  return JSON.stringify(arg);
}
