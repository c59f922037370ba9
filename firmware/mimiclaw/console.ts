/**
 * The MimiClaw serial console, as a pure model: how a command line is split,
 * how to quote values so they arrive intact, which commands provisioning sends
 * and how the device's replies are judged.
 *
 * Facts (upstream memovai/mimiclaw main/cli/serial_cli.c and ESP-IDF
 * components/console, checked for this file):
 * - The REPL prompt is `mimi> ` followed by one extra space that ESP-IDF adds
 *   (`"%s "`), coloured unless the terminal failed the escape-sequence probe
 *   ("dumb mode", the usual case for a program on the other end).
 * - A line is at most 255 bytes (`max_cmdline_length = 256`); in dumb mode a
 *   longer line is cut and the rest becomes the NEXT command.
 * - linenoise keeps only printable ASCII (`isprint`): UTF-8 bytes, tabs and
 *   other control bytes are silently removed from the line.
 * - `esp_console_split_argv` splits on the space character only; `"` starts
 *   and ends a quoted argument (a closing quote ends the argument at once);
 *   `\` escapes only `\`, `"` and space, any other escaped byte is dropped.
 *   Single quotes are ordinary characters.
 * - argtable3 (getopt) treats an argument starting with `-` as an option and
 *   rejects it (`<cmd>: invalid option "-x"`), unless it follows `--`.
 */

/** Longest command line the console accepts, in bytes. */
export const MAX_LINE_BYTES = 255;

/** The prompt text, without the ESP-IDF extra space or colour codes. */
export const PROMPT = "mimi> ";

/** Printable ASCII: the only bytes that survive the console's line sanitiser. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Splits a line exactly like ESP-IDF's `esp_console_split_argv` (written from
 * its documented state machine). Used by the device simulator, and by tests
 * to prove that {@link quoteArg} round-trips.
 */
export function splitArgv(line: string, maxArgs = 32): string[] {
  type State = "space" | "arg" | "quoted" | "argEscaped" | "quotedEscaped";
  const argv: string[] = [];
  let state: State = "space";
  let current = "";
  for (const ch of line) {
    if (argv.length >= maxArgs - 1) break;
    switch (state) {
      case "space":
        if (ch === " ") break;
        current = "";
        if (ch === '"') state = "quoted";
        else if (ch === "\\") state = "argEscaped";
        else {
          current = ch;
          state = "arg";
        }
        break;
      case "quoted":
        if (ch === '"') {
          argv.push(current);
          state = "space";
        } else if (ch === "\\") state = "quotedEscaped";
        else current += ch;
        break;
      case "argEscaped":
      case "quotedEscaped":
        if (ch === "\\" || ch === '"' || ch === " ") current += ch;
        state = state === "argEscaped" ? "arg" : "quoted";
        break;
      case "arg":
        if (ch === " ") {
          argv.push(current);
          state = "space";
        } else if (ch === "\\") state = "argEscaped";
        else current += ch;
        break;
    }
  }
  if (state !== "space" && argv.length < maxArgs - 1) argv.push(current);
  return argv;
}

/**
 * Quotes one value so that {@link splitArgv} gives it back unchanged: always
 * double quotes, with `\` and `"` escaped. Refuses what the console cannot
 * carry (non-printable or non-ASCII characters).
 */
export function quoteArg(value: string): string {
  if (!PRINTABLE_ASCII.test(value)) {
    throw new Error("value contains characters the serial console drops (only printable ASCII survives)");
  }
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Builds one command line: the command word, then `--` when any argument
 * starts with `-` (so getopt does not take it for an option), then every
 * argument quoted.
 */
export function formatCommand(command: string, args: readonly string[]): string {
  const needsEndOfOptions = args.some((a) => a.startsWith("-") && a.length > 1);
  const parts = [command, ...(needsEndOfOptions ? ["--"] : []), ...args.map(quoteArg)];
  const line = parts.join(" ");
  const bytes = Buffer.byteLength(line, "utf8");
  if (bytes > MAX_LINE_BYTES) {
    throw new Error(`the ${command} line would be ${bytes} bytes; the console accepts at most ${MAX_LINE_BYTES}`);
  }
  return line;
}

/** The values provisioning writes to a device. */
export interface ProvisionValues {
  wifiSsid: string;
  /** Empty for an open network. */
  wifiPassword: string;
  provider: "anthropic" | "openai";
  model: string;
  apiKey: string;
  /** Absent: the token on the device is left as it is (upstream has no command to clear it). */
  telegramToken?: string;
  /** Absent: `clear_proxy` is sent so a proxy set earlier does not linger. */
  proxy?: { host: string; port: number; type: "http" | "socks5" };
}

/** One console command of the provisioning sequence. */
export interface ConsoleStep {
  command: string;
  args: string[];
  /** The exact line the device prints on success (from upstream serial_cli.c). */
  success: string;
  /** Arguments that are secrets: never logged, redacted from any error. */
  secrets: string[];
}

/** Success lines printed by upstream serial_cli.c. */
export const SUCCESS = {
  set_wifi: "WiFi credentials saved. Restart to apply.",
  set_api_key: "API key saved.",
  set_model: "Model set.",
  set_model_provider: "Model provider set.",
  set_tg_token: "Telegram bot token saved.",
  set_proxy: "Proxy set. Restart to apply.",
  clear_proxy: "Proxy cleared. Restart to apply.",
  config_reset: "All NVS config cleared. Build-time defaults will be used on restart.",
  restart: "Restarting...",
} as const;

export interface FieldError {
  field: string;
  reason: string;
}

/**
 * Checks values against what the firmware can store and show, collecting every
 * problem (limits from upstream: model buffer 64, provider 16, WiFi SSID 32 /
 * WPA passphrase 8..63, one console line 255 bytes).
 */
export function validateProvisionValues(v: ProvisionValues): FieldError[] {
  const errors: FieldError[] = [];
  const ascii = (field: string, value: string) => {
    if (!PRINTABLE_ASCII.test(value)) {
      errors.push({ field, reason: "must be printable ASCII: the serial console silently drops other characters" });
      return false;
    }
    return true;
  };
  if (ascii("wifiSsid", v.wifiSsid) && (v.wifiSsid.length < 1 || v.wifiSsid.length > 32)) {
    errors.push({ field: "wifiSsid", reason: "must be 1 to 32 characters" });
  }
  if (ascii("wifiPassword", v.wifiPassword) && v.wifiPassword.length > 0 && (v.wifiPassword.length < 8 || v.wifiPassword.length > 63)) {
    errors.push({ field: "wifiPassword", reason: "must be empty (open network) or 8 to 63 characters (WPA passphrase)" });
  }
  if (v.provider !== "anthropic" && v.provider !== "openai") {
    errors.push({ field: "provider", reason: "must be anthropic or openai" });
  }
  if (ascii("model", v.model) && (v.model.length < 1 || v.model.length > 63)) {
    errors.push({ field: "model", reason: "must be 1 to 63 characters (the firmware's model buffer is 64 bytes)" });
  }
  if (ascii("apiKey", v.apiKey) && v.apiKey.length < 1) {
    errors.push({ field: "apiKey", reason: "must not be empty" });
  }
  if (v.telegramToken !== undefined && ascii("telegramToken", v.telegramToken) && v.telegramToken.length < 1) {
    errors.push({ field: "telegramToken", reason: "must not be empty when given" });
  }
  if (v.proxy) {
    if (!/^[A-Za-z0-9.:-]{1,63}$/.test(v.proxy.host)) {
      errors.push({ field: "proxy.host", reason: "must be a host name or IP address (letters, digits, . : -), at most 63 characters" });
    }
    if (!Number.isInteger(v.proxy.port) || v.proxy.port < 1 || v.proxy.port > 65535) {
      errors.push({ field: "proxy.port", reason: "must be an integer from 1 to 65535" });
    }
    if (v.proxy.type !== "http" && v.proxy.type !== "socks5") {
      errors.push({ field: "proxy.type", reason: "must be http or socks5" });
    }
  }
  // Every line must fit the console; checked only when the values themselves are sound.
  if (errors.length === 0) {
    for (const step of provisioningSteps(v)) {
      try {
        formatCommand(step.command, step.args);
      } catch (e) {
        errors.push({ field: step.command, reason: (e as Error).message });
      }
    }
  }
  return errors;
}

/** The configuration commands, in the order they are sent (restart and the check follow). */
export function provisioningSteps(v: ProvisionValues): ConsoleStep[] {
  const steps: ConsoleStep[] = [
    { command: "set_wifi", args: [v.wifiSsid, v.wifiPassword], success: SUCCESS.set_wifi, secrets: [v.wifiPassword] },
    { command: "set_api_key", args: [v.apiKey], success: SUCCESS.set_api_key, secrets: [v.apiKey] },
    { command: "set_model", args: [v.model], success: SUCCESS.set_model, secrets: [] },
    { command: "set_model_provider", args: [v.provider], success: SUCCESS.set_model_provider, secrets: [] },
  ];
  if (v.telegramToken !== undefined) {
    steps.push({ command: "set_tg_token", args: [v.telegramToken], success: SUCCESS.set_tg_token, secrets: [v.telegramToken] });
  }
  if (v.proxy) {
    steps.push({
      command: "set_proxy",
      args: [v.proxy.host, String(v.proxy.port), v.proxy.type],
      success: SUCCESS.set_proxy,
      secrets: [],
    });
  } else {
    steps.push({ command: "clear_proxy", args: [], success: SUCCESS.clear_proxy, secrets: [] });
  }
  return steps;
}

/** Removes ANSI escape sequences (colour codes, cursor queries) from console output. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "");
}

/** Splits console output into lines without CR/LF. */
export function consoleLines(text: string): string[] {
  return stripAnsi(text).split(/\r?\n|\r/);
}

/** Markers that mean the console rejected a line (ESP-IDF REPL and argtable3). */
export function findRejection(reply: string, command: string): string | undefined {
  const lines = consoleLines(reply).map((l) => l.trimEnd());
  const bad = lines.filter(
    (l) =>
      l === "Unrecognized command" ||
      l.startsWith("Command returned non-zero error code") ||
      l.startsWith("Internal error:") ||
      l.startsWith(`${command}: `) ||
      l.startsWith("Invalid proxy type"),
  );
  return bad.length > 0 ? bad.join("\n") : undefined;
}

/** Whether the reply holds the command's success line, as a whole line. */
export function hasSuccessLine(reply: string, success: string): boolean {
  return consoleLines(reply).some((l) => l.trim() === success);
}

/**
 * Replaces every secret (and every word of it, in case the console split it)
 * by `[redacted]`. Words shorter than 4 characters are left alone: they carry
 * too little of the secret to matter and would garble the message.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    needles.add(s);
    for (const w of s.split(/\s+/)) if (w.length >= 4) needles.add(w);
    // The quoted form as echoed back by the console.
    if (s.length >= 4) needles.add(s.replace(/[\\"]/g, (c) => `\\${c}`));
  }
  let out = text;
  for (const n of [...needles].sort((a, b) => b.length - a.length)) {
    out = out.split(n).join("[redacted]");
  }
  return out;
}

/** One row of `config_show`: the value shown and where it came from (NVS, build, not set). */
export interface ShownValue {
  display: string;
  source: string;
}

/** Parses `config_show` output (`  %-14s: %s  [%s]` rows) into label → value. */
export function parseConfigShow(text: string): Map<string, ShownValue> {
  const rows = new Map<string, ShownValue>();
  for (const line of consoleLines(text)) {
    const m = /^ {2}(.{14}): (.*) {2}\[([^\]]+)\]\s*$/.exec(line);
    if (m) rows.set(m[1]!.trim(), { display: m[2]!, source: m[3]! });
  }
  return rows;
}

/** How upstream masks a secret in `config_show`: first 4 characters and `****` when longer than 6. */
export function maskLikeDevice(value: string): string {
  return value.length > 6 ? `${value.slice(0, 4)}****` : value;
}

/** Upstream reads NVS strings for `config_show` into a 128-byte buffer: longer values show as not set. */
export const CONFIG_SHOW_MAX_VALUE = 127;

/**
 * Compares `config_show` rows with what was provisioned. Returns problems that
 * never contain a secret, and notes about values the device cannot display.
 */
export function verifyConfigShow(rows: Map<string, ShownValue>, v: ProvisionValues): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  const expectPlain = (label: string, expected: string) => {
    const row = rows.get(label);
    if (!row) problems.push(`config_show has no "${label}" row`);
    else if (row.source !== "NVS" || row.display !== expected) {
      problems.push(`config_show ${label} is "${row.display}" [${row.source}], expected "${expected}" [NVS]`);
    }
  };
  const expectSecret = (label: string, secret: string) => {
    const row = rows.get(label);
    if (secret.length > CONFIG_SHOW_MAX_VALUE) {
      notes.push(`${label} is ${secret.length} characters: the device cannot show it in config_show, so only its "saved" reply confirms it`);
      return;
    }
    if (!row) problems.push(`config_show has no "${label}" row`);
    else if (row.source !== "NVS" || row.display !== maskLikeDevice(secret)) {
      problems.push(`config_show ${label} does not match the provisioned value (source [${row.source}])`);
    }
  };
  expectPlain("WiFi SSID", v.wifiSsid);
  if (v.wifiPassword) expectSecret("WiFi Pass", v.wifiPassword);
  expectSecret("API Key", v.apiKey);
  expectPlain("Model", v.model);
  expectPlain("Provider", v.provider);
  if (v.telegramToken !== undefined) expectSecret("TG Token", v.telegramToken);
  if (v.proxy) {
    expectPlain("Proxy Host", v.proxy.host);
    expectPlain("Proxy Port", String(v.proxy.port));
  } else {
    const row = rows.get("Proxy Host");
    if (row && row.source === "NVS") problems.push(`config_show still has a proxy host in NVS after clear_proxy`);
  }
  return { problems, notes };
}
