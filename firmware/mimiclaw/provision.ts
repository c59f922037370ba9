/**
 * Provisions a MimiClaw device over its serial console.
 *
 *   npx tsx firmware/mimiclaw/provision.ts           # provision (env: see firmware/README.md)
 *   npx tsx firmware/mimiclaw/provision.ts --reset   # config_reset + restart (wipes secrets from NVS)
 *
 * Secrets come only from the environment or *_FILE files, never argv; nothing
 * the device echoes is printed, and errors are redacted.
 */
import fs from "node:fs";
import {
  type ConsoleStep,
  type ProvisionValues,
  SUCCESS,
  findRejection,
  formatCommand,
  hasSuccessLine,
  parseConfigShow,
  provisioningSteps,
  redact,
  stripAnsi,
  validateProvisionValues,
  verifyConfigShow,
} from "./console";
import { EnvReader, runMain } from "./env";
import { ConsoleSession, TimeoutError, endsWithPrompt } from "./serial";

export interface ProvisionSettings {
  port: string;
  baud: number;
  values: ProvisionValues;
  /** How long one command may take, ms. */
  commandTimeoutMs: number;
  /** How long the device may take to come back after `restart`, ms. */
  bootTimeoutMs: number;
}

/** Reads provisioning settings from the environment (all problems at once). */
export function provisionSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ProvisionSettings {
  const r = new EnvReader(env);
  const port = r.required("MIMICLAW_SERIAL_PORT", "the device's console port, e.g. /dev/ttyUSB0");
  const baud = r.int("MIMICLAW_SERIAL_BAUD", 115200, 1200, 4000000);
  const wifiSsid = r.required("MIMICLAW_WIFI_SSID", "the WiFi network name");
  const wifiPassword = r.secret("MIMICLAW_WIFI_PASSWORD", { required: true, allowEmpty: true }) ?? "";
  const provider = r.oneOf("MIMICLAW_PROVIDER", ["anthropic", "openai"] as const, "anthropic");
  const model = r.required("MIMICLAW_MODEL", "the LLM model id, e.g. claude-opus-4-5");
  const apiKey = r.secret("MIMICLAW_API_KEY", { required: true }) ?? "";
  const telegramToken = r.secret("MIMICLAW_TG_TOKEN", { required: false });
  const proxyRaw = r.optional("MIMICLAW_PROXY");
  let proxy: ProvisionValues["proxy"];
  if (proxyRaw !== undefined) {
    const m = /^(?:(http|socks5):\/\/)?([^:/\s]+):(\d{1,5})\/?$/.exec(proxyRaw);
    if (!m) r.problems.push(`MIMICLAW_PROXY=${proxyRaw} must look like host:port, http://host:port or socks5://host:port`);
    else proxy = { host: m[2]!, port: Number(m[3]), type: (m[1] as "http" | "socks5" | undefined) ?? "http" };
  }
  const commandTimeoutMs = r.int("MIMICLAW_COMMAND_TIMEOUT_MS", 5000, 100, 600000);
  const bootTimeoutMs = r.int("MIMICLAW_BOOT_TIMEOUT_MS", 30000, 100, 600000);
  const values: ProvisionValues = { wifiSsid, wifiPassword, provider, model, apiKey, telegramToken, proxy };
  if (r.problems.length === 0) {
    const envName: Record<string, string> = {
      wifiSsid: "MIMICLAW_WIFI_SSID",
      wifiPassword: "MIMICLAW_WIFI_PASSWORD",
      provider: "MIMICLAW_PROVIDER",
      model: "MIMICLAW_MODEL",
      apiKey: "MIMICLAW_API_KEY",
      telegramToken: "MIMICLAW_TG_TOKEN",
    };
    for (const e of validateProvisionValues(values)) {
      r.problems.push(`${envName[e.field] ?? (e.field.startsWith("proxy") ? "MIMICLAW_PROXY" : e.field)}: ${e.reason}`);
    }
  }
  r.done();
  return { port, baud, values, commandTimeoutMs, bootTimeoutMs };
}

/** Every secret in the values, for redaction. */
export function secretsOf(v: ProvisionValues): string[] {
  return [v.wifiPassword, v.apiKey, v.telegramToken ?? ""].filter((s) => s.length > 0);
}

type Log = (line: string) => void;

/** Brings the console to a fresh prompt. */
async function wake(session: ConsoleSession, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await session.write("\r");
    try {
      await session.waitFor(endsWithPrompt, Math.min(1000, Math.max(1, deadline - Date.now())), "prompt");
      break;
    } catch (e) {
      if (!(e instanceof TimeoutError) || Date.now() >= deadline) {
        throw new Error(`the device did not show the "mimi> " prompt within ${timeoutMs} ms (wrong port or baud, or the firmware is not running)`);
      }
    }
  }
  // Let any extra prompts (one per CR we sent) arrive, then discard them.
  await new Promise((r) => setTimeout(r, 200));
  session.take();
}

/** Sends one line and returns the device's reply up to the next prompt. */
async function exchange(session: ConsoleSession, line: string, command: string, timeoutMs: number, secrets: string[]): Promise<string> {
  await session.write(`${line}\r`);
  try {
    return await session.waitFor(
      (received) => {
        const clean = stripAnsi(received);
        const at = clean.indexOf(command);
        return at >= 0 && endsWithPrompt(clean.slice(at));
      },
      timeoutMs,
      `reply to ${command}`,
    );
  } catch (e) {
    if (e instanceof TimeoutError) {
      throw new Error(`${e.message}; the device said: ${redact(stripAnsi(e.received), secrets).trim() || "(nothing)"}`);
    }
    throw e;
  }
}

/** The device's reply without the echoed command line (which holds the values). */
function replyBody(reply: string, command: string): string {
  const lines = stripAnsi(reply).split(/\r?\n|\r/);
  return lines
    .filter((l) => !l.includes(command) && l.trim() !== "" && l.trim() !== "mimi>")
    .join("\n");
}

/** Runs one configuration step and checks its reply. */
async function runStep(session: ConsoleSession, step: ConsoleStep, timeoutMs: number, allSecrets: string[], log: Log): Promise<void> {
  const line = formatCommand(step.command, step.args);
  const reply = await exchange(session, line, step.command, timeoutMs, allSecrets);
  const rejection = findRejection(reply, step.command);
  if (rejection || !hasSuccessLine(reply, step.success)) {
    const said = redact(rejection ?? replyBody(reply, step.command), allSecrets).trim();
    throw new Error(`the device rejected ${step.command}: ${said || "(no reply)"}`);
  }
  log(`${step.command}: ${step.success}`);
}

/** Sends `restart` and waits for the console to come back. */
async function restart(session: ConsoleSession, s: Pick<ProvisionSettings, "commandTimeoutMs" | "bootTimeoutMs">, log: Log): Promise<void> {
  await session.write("restart\r");
  await session.waitFor((r) => stripAnsi(r).includes(SUCCESS.restart), s.commandTimeoutMs, `"${SUCCESS.restart}"`);
  // Boot logs keep coming after the first prompt (WiFi, WebSocket...): ask for
  // fresh prompts until one ends the output.
  await wake(session, s.bootTimeoutMs);
  log("restart: console is back");
}

/**
 * Provisions the device: each setting, then restart, then config_show must
 * show what was set. Throws with the device's (redacted) message on failure.
 */
export async function provision(s: ProvisionSettings, log: Log = () => undefined): Promise<{ notes: string[] }> {
  const problems = validateProvisionValues(s.values);
  if (problems.length > 0) throw new Error(problems.map((p) => `${p.field}: ${p.reason}`).join("; "));
  const secrets = secretsOf(s.values);
  const session = ConsoleSession.open(s.port, s.baud);
  try {
    await wake(session, s.bootTimeoutMs);
    for (const step of provisioningSteps(s.values)) await runStep(session, step, s.commandTimeoutMs, secrets, log);
    await restart(session, s, log);
    const shown = await exchange(session, "config_show", "config_show", s.commandTimeoutMs, secrets);
    const { problems: mismatches, notes } = verifyConfigShow(parseConfigShow(shown), s.values);
    if (mismatches.length > 0) throw new Error(`after restart, config_show disagrees: ${redact(mismatches.join("; "), secrets)}`);
    log("config_show: every provisioned value confirmed");
    for (const n of notes) log(`note: ${n}`);
    return { notes };
  } finally {
    session.close();
  }
}

/** Wipes the device's NVS settings (config_reset) and restarts it. */
export async function resetDevice(port: string, baud: number, timeouts: { commandTimeoutMs: number; bootTimeoutMs: number }, log: Log = () => undefined): Promise<void> {
  const session = ConsoleSession.open(port, baud);
  try {
    await wake(session, timeouts.bootTimeoutMs);
    await runStep(session, { command: "config_reset", args: [], success: SUCCESS.config_reset, secrets: [] }, timeouts.commandTimeoutMs, [], log);
    await restart(session, timeouts, log);
  } finally {
    session.close();
  }
}

async function main(): Promise<void> {
  const log: Log = (l) => process.stderr.write(`provision: ${l}\n`);
  if (process.argv.includes("--reset")) {
    const r = new EnvReader();
    const port = r.required("MIMICLAW_SERIAL_PORT", "the device's console port, e.g. /dev/ttyUSB0");
    const baud = r.int("MIMICLAW_SERIAL_BAUD", 115200, 1200, 4000000);
    const commandTimeoutMs = r.int("MIMICLAW_COMMAND_TIMEOUT_MS", 5000, 100, 600000);
    const bootTimeoutMs = r.int("MIMICLAW_BOOT_TIMEOUT_MS", 30000, 100, 600000);
    r.done();
    if (!fs.existsSync(port)) {
      // Used as the Pulumi delete step: a device that is not attached cannot be wiped.
      log(`WARNING: ${port} is not present; the device's stored settings were NOT wiped`);
      return;
    }
    await resetDevice(port, baud, { commandTimeoutMs, bootTimeoutMs }, log);
    log("device settings wiped");
    return;
  }
  const settings = provisionSettingsFromEnv();
  await provision(settings, log);
  log("done");
}

if (typeof require !== "undefined" && require.main === module) void runMain("provision", main);
