/** `clawlab status` end to end: flags → options, read the outputs, probe, render. */
import { DEFAULT_PROBE_TIMEOUT_MS, MAX_PROBE_TIMEOUT_MS, checkFleet, renderStatusJson, renderStatusTable, statusExitCode, type Probes } from "./status";
import { type OutputsSource, readStackOutputs, realProbes } from "./status-probe";

/** The command's flags, for node:util parseArgs (cli/main.ts adds --help). */
export const STATUS_FLAGS = {
  outputs: { type: "string" },
  stack: { type: "string" },
  json: { type: "boolean" },
  timeout: { type: "string" },
} as const;

/** The command's settings, after flag parsing. */
export interface StatusOptions {
  /** A file holding `pulumi stack output --json`; or the stack to ask the Pulumi CLI about. */
  readonly source: OutputsSource;
  readonly json: boolean;
  readonly timeoutMs: number;
  /** Paint the table's STATE column (stdout is a terminal and NO_COLOR is unset). */
  readonly colour: boolean;
}

/** The parsed flags as options, or the usage error to report (exit 2). */
export function statusOptions(flags: { readonly [flag: string]: string | boolean | undefined }, colour: boolean): StatusOptions | string {
  const { outputs, stack, timeout } = flags;
  // The shared --config would be silently ignored: status reads what was deployed, not the config.
  if (flags.config !== undefined) return "status reads the stack's outputs, not the config: use --outputs FILE or --stack NAME";
  if (typeof outputs === "string" && typeof stack === "string") return "give --outputs FILE or --stack NAME, not both";
  const timeoutMs = typeof timeout === "string" ? parseTimeoutMs(timeout) : DEFAULT_PROBE_TIMEOUT_MS;
  if (timeoutMs === undefined) return `--timeout must be a whole number of ms, 1-${MAX_PROBE_TIMEOUT_MS} (got ${JSON.stringify(timeout)})`;
  return {
    source: typeof outputs === "string" ? { file: outputs } : { stack: typeof stack === "string" ? stack : undefined },
    json: flags.json === true,
    timeoutMs,
    colour,
  };
}

/** `--timeout` as milliseconds: a whole number 1..MAX_PROBE_TIMEOUT_MS, else undefined. */
export function parseTimeoutMs(value: string): number | undefined {
  if (!/^\d+$/.test(value)) return undefined;
  const ms = Number(value);
  return ms >= 1 && ms <= MAX_PROBE_TIMEOUT_MS ? ms : undefined;
}

/**
 * Runs the check. Unreadable outputs throw a ConfigError (exit 1); otherwise the report is
 * printed whatever it says and the exit status carries the verdict (0 or UNHEALTHY_EXIT).
 */
export async function runStatus(options: StatusOptions, probes: Probes = realProbes): Promise<{ stdout: string; exitCode: number }> {
  const outputs = await readStackOutputs(options.source);
  const report = await checkFleet(outputs, probes, options.timeoutMs);
  return {
    stdout: options.json ? renderStatusJson(report) : renderStatusTable(report, { colour: options.colour }),
    exitCode: statusExitCode(report),
  };
}
