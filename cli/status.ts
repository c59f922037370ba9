/**
 * `clawlab status`: is the deployed fleet healthy? Reads the stack's outputs (see
 * index.ts), probes every runtime's and every device bridge's health endpoint at once,
 * and reports one row per entry as a table or as JSON (what ClawLab's health monitor reads).
 *
 * This module is the pure part — outputs parsing, judging probe results, rendering — plus
 * `checkFleet`, which runs the probes it is given; the real ones (HTTP, `docker inspect`,
 * `pulumi stack output`) live in status-probe.ts, so the unit tests need no network.
 *
 * Healthy means: HTTP 2xx from the health URL and, where the runtime's declaration has
 * `health.bodyContains`, a body containing it (some UIs answer 200 for every path). A runtime
 * without an HTTP health endpoint (NanoClaw: a socket probe inside the container) is judged by
 * its container's Docker health check, read with the local `docker` CLI (DOCKER_HOST and
 * contexts apply). When that cannot be read the entry is `unknown`, and unknown counts as not
 * healthy: a monitor must never report health it did not see.
 */
import { z } from "zod";
import { ConfigError, type ConfigIssue, joinPath } from "../components/config/errors";
import { declarations } from "../runtimes";
import { table, visible } from "./text";

/** Per-probe timeout when `--timeout` is not given, in ms. */
export const DEFAULT_PROBE_TIMEOUT_MS = 3000;
/** The longest `--timeout` accepted, in ms (a probe that needs more is a failure anyway). */
export const MAX_PROBE_TIMEOUT_MS = 600_000;
/**
 * Exit status when the check ran and something is unhealthy or unknown: distinct from 1
 * (the outputs could not be read) and 2 (usage), so a monitor tells "fleet down" from "could not look".
 */
export const UNHEALTHY_EXIT = 3;
/** The `--json` document's `schema` value; bumped only when a field changes meaning or goes away. */
export const STATUS_SCHEMA = "clawlab.status/v1";

// ---------------------------------------------------------------- the stack's outputs

const text = (what: string) => z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });
const httpUrl = () => z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

/** `runtimes.<name>` of the stack outputs (components/fleet.ts RuntimeOutputs). */
const runtimeOutputSchema = z.object(
  {
    imageRef: text("an image reference"),
    containerName: text("a container name"),
    url: httpUrl(),
    /** Absent for a runtime without an HTTP health endpoint (Pulumi drops undefined outputs). */
    healthUrl: httpUrl().optional(),
  },
  { error: "must be an object" },
);

/** `devices.<id>` of the stack outputs (components/fleet.ts DeviceOutputs). */
const deviceOutputSchema = z.object(
  {
    bridgeContainerName: text("a container name"),
    brokerContainerName: text("a container name"),
    healthUrl: httpUrl(),
    topics: z.record(z.string(), z.string({ error: "must be a string" }), { error: "must be an object of topic names" }),
  },
  { error: "must be an object" },
);

/**
 * What status reads of `pulumi stack output --json`. Other outputs — `tokens` above all,
 * a secret — are stripped here, so nothing downstream can print them.
 */
const stackOutputsSchema = z.object(
  {
    runtimes: z.record(z.string(), runtimeOutputSchema, { error: "must be an object of runtimes" }),
    // A stack without MimiClaw devices exports {}; an older one may not export the key at all.
    devices: z.record(z.string(), deviceOutputSchema, { error: "must be an object of devices" }).default({}),
    registry: z.string({ error: "must be a string" }).optional(),
  },
  { error: "must be a JSON object, as `pulumi stack output --json` prints" },
);

/** The stack outputs status works from. */
export type StackOutputs = z.infer<typeof stackOutputsSchema>;

/** Checks parsed JSON against the outputs' shape; every problem is reported at once, by path. */
export function parseStackOutputs(document: unknown, source: string): StackOutputs {
  const parsed = stackOutputsSchema.safeParse(document);
  if (parsed.success) return parsed.data;
  const issues: ConfigIssue[] = parsed.error.issues.map((issue) => ({
    path: joinPath(issue.path),
    // Messages never quote the value: these outputs sit next to secrets.
    message: issue.code === "invalid_type" && valueAt(document, issue.path) === undefined ? "is required" : issue.message,
  }));
  throw new ConfigError(source, issues);
}

/** Parses the text of `pulumi stack output --json` (or a file holding it). */
export function parseStackOutputsJson(json: string, source: string): StackOutputs {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch {
    // V8's message quotes the text around the error, which may be a secret: say where only.
    throw new ConfigError(source, [{ path: "", message: "is not valid JSON (expected what `pulumi stack output --json` prints)" }]);
  }
  return parseStackOutputs(document, source);
}

function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let cur = document;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

// ---------------------------------------------------------------- what to probe

/** One thing to check: a runtime or a device's MQTT bridge. */
export interface StatusTarget {
  readonly kind: "runtime" | "device";
  /** The runtime's name or the device's id. */
  readonly name: string;
  /** The container whose Docker health stands in when there is no HTTP endpoint to reach. */
  readonly containerName: string;
  /** `host:port` clients use. */
  readonly host: string;
  /** Image reference with digest (runtimes only). */
  readonly imageRef: string | null;
  /** How it is checked: its health URL, or its container's Docker health check. */
  readonly probe: HttpCheck | DockerCheck;
}

/** GET the health URL; healthy on 2xx with `bodyContains` (when set) in the body. */
export interface HttpCheck {
  readonly kind: "http";
  readonly url: string;
  readonly bodyContains?: string;
}

/** No HTTP endpoint reachable from here (`why`): the container's Docker health check decides. */
export interface DockerCheck {
  readonly kind: "docker";
  readonly why: string;
}

/**
 * The targets of a fleet, runtimes first in the order the fleet deploys them (unknown names
 * after, by name), then devices by id.
 */
export function statusTargets(outputs: StackOutputs): StatusTarget[] {
  const order = (name: string) => {
    const i = declarations.findIndex((d) => d.name === name);
    return i < 0 ? declarations.length : i;
  };
  const runtimes = Object.entries(outputs.runtimes)
    .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
    .map(([name, r]): StatusTarget => {
      const health = declarations.find((d) => d.name === name)?.health;
      return {
        kind: "runtime",
        name,
        containerName: r.containerName,
        host: new URL(r.healthUrl ?? r.url).host,
        imageRef: r.imageRef,
        probe: r.healthUrl
          ? { kind: "http", url: r.healthUrl, bodyContains: health?.kind === "http" ? health.bodyContains : undefined }
          : { kind: "docker", why: "no HTTP health endpoint" },
      };
    });
  const devices = Object.entries(outputs.devices)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, d]): StatusTarget => {
      const url = new URL(d.healthUrl);
      // Without a published port the URL names the bridge container on its private network,
      // which only its Docker health check can see from here (components/mimiclaw.ts).
      const published = url.hostname !== d.bridgeContainerName;
      return {
        kind: "device",
        name,
        containerName: d.bridgeContainerName,
        host: url.host,
        imageRef: null,
        probe: published ? { kind: "http", url: d.healthUrl } : { kind: "docker", why: "bridge port not published" },
      };
    });
  return [...runtimes, ...devices];
}

// ---------------------------------------------------------------- probes and judging

/** What one HTTP GET of a health URL produced. */
export type HttpProbeResult =
  | { readonly kind: "response"; readonly status: number; readonly body: string; readonly latencyMs: number }
  /** No response: `reason` is already human ("connection refused", "timeout after 3000 ms"). */
  | { readonly kind: "error"; readonly reason: string; readonly latencyMs: number };

/** What `docker inspect` said about a container. */
export type ContainerProbeResult =
  | {
      readonly kind: "found";
      /** Docker's State.Status: running, exited, restarting, paused, created, dead. */
      readonly status: string;
      readonly exitCode: number;
      /** State.Health.Status (starting, healthy, unhealthy); undefined without a health check. */
      readonly health?: string;
      /** The last health check's output line. */
      readonly lastCheck?: string;
    }
  /** The CLI or engine is unavailable, or the container is not on this engine. */
  | { readonly kind: "unavailable"; readonly reason: string };

/** The probes status runs; the real ones are in status-probe.ts, tests pass fakes. */
export interface Probes {
  http(url: string, timeoutMs: number): Promise<HttpProbeResult>;
  container(name: string, timeoutMs: number): Promise<ContainerProbeResult>;
}

/** Healthy; or unhealthy; or unknown (could not be checked, which counts as not healthy). */
export type HealthState = "healthy" | "unhealthy" | "unknown";

/** One row of the report; also the `--json` entry, field for field. */
export interface StatusEntry {
  readonly kind: "runtime" | "device";
  readonly name: string;
  readonly state: HealthState;
  /** Why it is not healthy, or how a healthy one was checked when not over HTTP; null otherwise. */
  readonly reason: string | null;
  readonly host: string;
  /** The URL probed (credentials removed), or null when checked through Docker. */
  readonly healthUrl: string | null;
  readonly containerName: string;
  readonly imageRef: string | null;
  /** `sha256:<64 hex>` of imageRef, or null when it names none. */
  readonly imageDigest: string | null;
  readonly probe: "http" | "docker";
  readonly httpStatus: number | null;
  /** Time to the whole response (or to the failure), ms; null when checked through Docker. */
  readonly latencyMs: number | null;
}

/** The whole check. */
export interface StatusReport {
  /** True only when every entry is healthy (vacuously true for an empty fleet). */
  readonly healthy: boolean;
  readonly checkedAt: string;
  readonly timeoutMs: number;
  readonly entries: readonly StatusEntry[];
}

/** Runs every target's probe concurrently and judges the results. */
export async function checkFleet(outputs: StackOutputs, probes: Probes, timeoutMs: number, now = new Date()): Promise<StatusReport> {
  const entries = await Promise.all(
    statusTargets(outputs).map(async (target) =>
      target.probe.kind === "http"
        ? judgeHttp(target, target.probe, await probes.http(target.probe.url, timeoutMs))
        : judgeContainer(target, target.probe, await probes.container(target.containerName, timeoutMs)),
    ),
  );
  return { healthy: entries.every((e) => e.state === "healthy"), checkedAt: now.toISOString(), timeoutMs, entries };
}

/** An HTTP probe's result as a row: 2xx and the body fragment, or the specific reason it is not. */
function judgeHttp(target: StatusTarget, { url, bodyContains }: HttpCheck, result: HttpProbeResult): StatusEntry {
  const base = { ...entryBase(target), probe: "http" as const, healthUrl: withoutCredentials(url), latencyMs: result.latencyMs };
  if (result.kind === "error") return { ...base, state: "unhealthy", reason: result.reason, httpStatus: null };
  const row = { ...base, httpStatus: result.status };
  if (result.status < 200 || result.status > 299) {
    return { ...row, state: "unhealthy", reason: `HTTP ${result.status}${bodyReasons(result.body)}` };
  }
  if (bodyContains !== undefined && !result.body.includes(bodyContains)) {
    return { ...row, state: "unhealthy", reason: `body lacks ${visible(bodyContains)}` };
  }
  return { ...row, state: "healthy", reason: null };
}

/** A container's Docker state as a row, for targets without a reachable HTTP health endpoint. */
function judgeContainer(target: StatusTarget, { why }: DockerCheck, result: ContainerProbeResult): StatusEntry {
  const row = { ...entryBase(target), probe: "docker" as const, healthUrl: null, httpStatus: null, latencyMs: null };
  const verdict = (state: HealthState, reason: string): StatusEntry => ({ ...row, state, reason });
  if (result.kind === "unavailable") return verdict("unknown", `not probed: ${why} (${result.reason})`);
  if (result.status !== "running") {
    return verdict("unhealthy", `container ${visible(result.status)}${result.status === "exited" ? ` (exit code ${result.exitCode})` : ""}`);
  }
  switch (result.health) {
    case "healthy":
      return verdict("healthy", `Docker health check (${why})`);
    case "unhealthy":
      return verdict("unhealthy", `Docker health check failing${result.lastCheck ? `: ${clip(visible(result.lastCheck.trim()))}` : ""}`);
    case "starting":
      return verdict("unhealthy", "Docker health check still starting");
    case undefined:
      return verdict("unknown", `not probed: ${why}, and the container has no Docker health check`);
    default:
      return verdict("unknown", `Docker health ${visible(result.health)}`);
  }
}

function entryBase(target: StatusTarget) {
  return {
    kind: target.kind,
    name: target.name,
    host: target.host,
    containerName: target.containerName,
    imageRef: target.imageRef,
    imageDigest: target.imageRef ? (/@(sha256:[0-9a-f]{64})$/.exec(target.imageRef)?.[1] ?? null) : null,
  };
}

/**
 * ` (a; b)` from a JSON error body's `reasons` (the MQTT bridge says which side is down);
 * nothing else of a body is ever shown.
 */
function bodyReasons(body: string): string {
  try {
    const reasons: unknown = JSON.parse(body)?.reasons;
    if (Array.isArray(reasons) && reasons.length > 0 && reasons.every((r) => typeof r === "string")) {
      return ` (${clip(visible(reasons.join("; ")))})`;
    }
  } catch {
    // Not JSON: the status code says enough.
  }
  return "";
}

/** A URL without user:password, which a table or a monitor's log must not carry. */
function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = "";
  u.password = "";
  return u.toString();
}

function clip(s: string, max = 160): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

// ---------------------------------------------------------------- rendering

const PAINT: Record<HealthState, string> = { healthy: "\u001b[32m", unhealthy: "\u001b[31m", unknown: "\u001b[33m" };

/**
 * The report as an aligned table and a summary line. `colour` paints the STATE column
 * (for a terminal only: the caller decides).
 */
export function renderStatusTable(report: StatusReport, options: { colour: boolean }): string {
  if (report.entries.length === 0) return "No runtime or device in the stack outputs.\n";
  const header = ["NAME", "KIND", "HOST", "IMAGE", "STATE", "LATENCY", "REASON"];
  const rows = report.entries.map((e) => [
    visible(e.name),
    e.kind,
    visible(e.host),
    e.imageDigest ? e.imageDigest.slice(0, "sha256:".length + 12) : "-",
    e.state,
    e.latencyMs === null ? "-" : `${e.latencyMs} ms`,
    e.reason ?? "",
  ]);
  const [head, ...lines] = table(header, rows);
  const at = head!.indexOf("STATE");
  // Painted after alignment, so escape codes never count as width.
  const painted = lines.map((line, i) => {
    const state = report.entries[i]!.state;
    return options.colour ? `${line.slice(0, at)}${PAINT[state]}${state}\u001b[0m${line.slice(at + state.length)}` : line;
  });
  return `${[head, ...painted].join("\n")}\n\n${summary(report)}\n`;
}

/** `3 of 4 healthy; unhealthy: nullclaw; unknown: nanoclaw`. */
function summary(report: StatusReport): string {
  const named = (state: HealthState) => report.entries.filter((e) => e.state === state).map((e) => visible(e.name));
  const healthy = named("healthy").length;
  const parts = [`${healthy} of ${report.entries.length} healthy`];
  for (const state of ["unhealthy", "unknown"] as const) {
    const names = named(state);
    if (names.length > 0) parts.push(`${state}: ${names.join(", ")}`);
  }
  return parts.join("; ");
}

/** The `--json` document: stable field names, every entry, the overall verdict. */
export function renderStatusJson(report: StatusReport): string {
  const counts = { healthy: 0, unhealthy: 0, unknown: 0 };
  for (const e of report.entries) counts[e.state]++;
  const doc = {
    schema: STATUS_SCHEMA,
    healthy: report.healthy,
    checkedAt: report.checkedAt,
    timeoutMs: report.timeoutMs,
    counts,
    entries: report.entries.map((e) => ({
      kind: e.kind,
      name: e.name,
      state: e.state,
      reason: e.reason,
      host: e.host,
      healthUrl: e.healthUrl,
      containerName: e.containerName,
      imageRef: e.imageRef,
      imageDigest: e.imageDigest,
      probe: e.probe,
      httpStatus: e.httpStatus,
      latencyMs: e.latencyMs,
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** 0 when every entry is healthy, UNHEALTHY_EXIT otherwise. */
export function statusExitCode(report: StatusReport): number {
  return report.healthy ? 0 : UNHEALTHY_EXIT;
}
