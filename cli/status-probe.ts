/**
 * What `clawlab status` does to the outside world: GET a health URL, `docker inspect` a
 * container, read the stack's outputs from a file or from `pulumi stack output --json`.
 * Every failure becomes a short human reason rather than an exception.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { ConfigError } from "../components/config/errors";
import { type ContainerProbeResult, type HttpProbeResult, type Probes, type StackOutputs, parseStackOutputsJson } from "./status";
import { visible } from "./text";

/** Enough of a body for any health fragment; a catch-all UI page is cut here. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * GETs a health URL with node:http rather than fetch: fetch refuses the "bad ports" of
 * the Fetch standard (6000, 10080, …), which a fleet may well use, and hides error codes.
 * The timeout covers everything (DNS, connect, headers, body).
 */
export function httpProbe(url: string, timeoutMs: number): Promise<HttpProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const target = new URL(url);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: HttpProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const controller = new AbortController();
    // Settles by itself: a connection that goes quiet may never emit another event.
    const timer = setTimeout(() => {
      settle({ kind: "error", reason: `timeout after ${timeoutMs} ms`, latencyMs: elapsed() });
      controller.abort();
    }, timeoutMs);
    const fail = (error: unknown) => settle({ kind: "error", reason: networkReason(error, target.hostname), latencyMs: elapsed() });
    const client = target.protocol === "https:" ? https : http;
    // A fresh connection per probe (agent: false): latency includes the connect, and no
    // pooled socket outlives the command.
    const request = client.get(
      target,
      { agent: false, signal: controller.signal, headers: { accept: "application/json, */*;q=0.5", "user-agent": "clawlab-status" } },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () =>
          settle({ kind: "response", status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), latencyMs: elapsed() });
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= MAX_BODY_BYTES) {
            finish();
            response.destroy();
          }
        });
        response.on("end", finish);
        response.on("error", fail);
      },
    );
    request.on("error", fail);
  });
}

/** A network error as an operator reads it. */
export function networkReason(error: unknown, hostname: string): string {
  const err = error as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] };
  // With several addresses (IPv6 and IPv4) Node reports an AggregateError: the first says enough.
  const code = err.code ?? err.errors?.[0]?.code;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
      return `DNS: ${visible(hostname)} not found`;
    case "EAI_AGAIN":
      return `DNS: lookup of ${visible(hostname)} failed (temporary failure)`;
    case "ECONNRESET":
      return err.message === "socket hang up" ? "connection closed without a response" : "connection reset";
    case "EHOSTUNREACH":
      return "host unreachable";
    case "ENETUNREACH":
      return "network unreachable";
    case "ETIMEDOUT":
      return "connect timed out";
  }
  const message = visible(err.message ?? String(error));
  if (code?.startsWith("HPE_")) return `not an HTTP response (${message})`;
  if (code?.startsWith("ERR_TLS") || /CERT|SSL|TLS/.test(code ?? "")) return `TLS: ${message}`;
  return message;
}

/** The docker CLI on PATH: the local engine, or whatever DOCKER_HOST / the context names. */
const DOCKER = "docker";

/** `docker inspect` of a container's State, as a ContainerProbeResult. */
export function containerProbe(name: string, timeoutMs: number): Promise<ContainerProbeResult> {
  return new Promise((resolve) => {
    execFile(
      DOCKER,
      ["inspect", "--type", "container", "--format", "{{json .State}}", "--", name],
      { timeout: timeoutMs, encoding: "utf8", maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const e = error as NodeJS.ErrnoException & { killed?: boolean };
          if (e.code === "ENOENT") return resolve({ kind: "unavailable", reason: "no docker CLI on PATH" });
          if (e.killed) return resolve({ kind: "unavailable", reason: `docker inspect: timeout after ${timeoutMs} ms` });
          if (/no such (container|object)/i.test(stderr)) return resolve({ kind: "unavailable", reason: `no container ${visible(name)} on this Docker engine` });
          return resolve({ kind: "unavailable", reason: `docker: ${visible(firstLine(stderr) || e.message)}` });
        }
        try {
          const state = JSON.parse(stdout) as { Status: string; ExitCode: number; Health?: { Status: string; Log?: { Output?: string }[] } };
          resolve({ kind: "found", status: state.Status, exitCode: state.ExitCode, health: state.Health?.Status, lastCheck: state.Health?.Log?.at(-1)?.Output });
        } catch {
          resolve({ kind: "unavailable", reason: "docker inspect printed something unexpected" });
        }
      },
    );
  });
}

/** The real probes. */
export const realProbes: Probes = { http: httpProbe, container: containerProbe };

/** How long `pulumi stack output` may take (a cloud backend answers in seconds). */
const PULUMI_TIMEOUT_MS = 120_000;

/** The program and arguments that print a stack's outputs; `--show-secrets` is never passed. */
export function stackOutputCommand(stack?: string): { file: string; args: string[] } {
  return { file: "pulumi", args: ["stack", "output", "--json", ...(stack === undefined ? [] : ["--stack", stack])] };
}

/** Where the outputs come from: a file, or the Pulumi CLI (current directory's project). */
export type OutputsSource = { readonly file: string } | { readonly stack?: string };

/** Reads and checks the stack outputs; any problem is a ConfigError naming the source. */
export async function readStackOutputs(source: OutputsSource): Promise<StackOutputs> {
  if ("file" in source) {
    let text: string;
    try {
      text = await fs.promises.readFile(source.file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(source.file, [{ path: "", message: code === "ENOENT" ? "file not found" : `cannot read it (${code ?? String(error)})` }]);
    }
    return parseStackOutputsJson(text, source.file);
  }
  const { file, args } = stackOutputCommand(source.stack);
  const label = `${file} ${args.join(" ")}`;
  const stdout = await new Promise<string>((resolve, reject) => {
    // Bounded, so a monitor never hangs on an unreachable backend.
    execFile(file, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: PULUMI_TIMEOUT_MS }, (error, out, err) => {
      if (!error) return resolve(out);
      const message =
        (error as NodeJS.ErrnoException).code === "ENOENT"
          ? "the pulumi CLI is not on PATH; install it, or pass --outputs FILE (written by `pulumi stack output --json`)"
          : error.killed
            ? `no answer within ${PULUMI_TIMEOUT_MS / 1000} s`
            : `failed: ${visible(firstLine(err) || firstLine(out) || error.message)}`;
      reject(new ConfigError(label, [{ path: "", message }]));
    });
  });
  return parseStackOutputsJson(stdout, label);
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}
