/**
 * A MimiClaw device simulator for tests and the benchmark.
 *
 * Serial side: a pseudo-terminal pair made by `socat`; the simulator holds one
 * end and hands the other end's path to the program under test, which treats
 * it like /dev/ttyUSB0. It behaves like the upstream console in the mode a
 * program gets (linenoise "dumb mode"): echo, 255-byte lines, printable ASCII
 * only, esp_console_split_argv, argtable3 parsing and its error lines, the
 * REPL's "Unrecognized command" / "Command returned non-zero error code" lines,
 * and a reboot on `restart`.
 *
 * WebSocket side (upstream main/gateway/ws_server.c): port 18789-like server
 * on paths `/` and `/ws`, at most 4 clients, each client's chat_id starts as
 * `ws_<fd>` and becomes the chat_id of its last message (cut to 31 bytes);
 * a response goes to the client whose chat_id matches, or is dropped;
 * `{"type":"ping"}` gets `{"type":"pong","ts":...}`; invalid JSON is ignored.
 * The "agent" answers each message with an optional working status and then
 * `echo: <content>`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import tty from "node:tty";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { splitArgv } from "../../firmware/mimiclaw/console";

export interface SimulatorOptions {
  /** WebSocket port; 0 picks a free one (kept across reboots). */
  wsPort?: number;
  /** Send upstream's "working" status before each answer. Default true. */
  workingStatus?: boolean;
  /** Time the "LLM" takes per message, in ms. Default 0. */
  replyDelayMs?: number;
  /** Boot time after a restart before the console and WebSocket are back, in ms. Default 300. */
  bootMs?: number;
  /** Console commands this firmware lacks (to model older builds). */
  missingCommands?: string[];
  /**
   * Full (non-dumb) linenoise mode, as when a terminal answered the probe:
   * before each prompt the console asks for the cursor position (ESC [6n) and
   * reads the answer from the input, eating typed bytes until an `R`.
   */
  smartMode?: boolean;
  /** Messages the device can hold before it drops (ws queue 8 + bus 16 upstream). Default 24. */
  inboundCapacity?: number;
}

type Slot = { datatype: string; kind: "str" | "int"; min: number; max: number };
type Parsed = { values: (string | number | undefined)[]; errors: string[] };

/** Upstream NVS namespaces/keys used by config_show, flattened. */
const NVS_KEYS = ["ssid", "password", "tg_token", "api_key", "model", "provider", "proxy_host", "proxy_port", "proxy_type"] as const;
type NvsKey = (typeof NVS_KEYS)[number];

export class MimiClawSimulator {
  /** Every console line the device executed, after sanitising (as the firmware saw it). */
  readonly lines: string[] = [];
  /** Raw bytes received on the serial port (the test checks secrets never appear where they should not). */
  rawSerialIn = "";
  /** Everything the device printed on the serial port. */
  serialOut = "";
  /** Device NVS. */
  readonly nvs = new Map<NvsKey, string>();
  /** Messages received over WebSocket (content, chat_id). */
  readonly received: { content: string; chat_id: string }[] = [];
  /** Responses the device had to drop (no client with that chat_id, or queue full). */
  readonly dropped: { reason: string; content: string; chat_id: string }[] = [];
  restarts = 0;

  private readonly opts: Required<SimulatorOptions>;
  private socat?: ChildProcess;
  private dir = "";
  private devFd = -1;
  private reader?: tty.ReadStream;
  private writer?: tty.WriteStream;
  private lineBuf = "";
  private cursorReply: string | undefined;
  private powered = false;
  private http?: http.Server;
  private wss?: WebSocketServer;
  private readonly clients = new Map<WebSocket, { fd: number; chatId: string }>();
  private readonly sockets = new Set<Socket>();
  private nextFd = 54;
  private inbound: { content: string; chat_id: string }[] = [];
  private agentBusy = false;
  private bootTimer?: NodeJS.Timeout;
  wsPort = 0;
  /** The serial port path for the program under test. */
  serialPath = "";

  constructor(opts: SimulatorOptions = {}) {
    this.opts = {
      wsPort: opts.wsPort ?? 0,
      workingStatus: opts.workingStatus ?? true,
      replyDelayMs: opts.replyDelayMs ?? 0,
      bootMs: opts.bootMs ?? 300,
      missingCommands: opts.missingCommands ?? [],
      inboundCapacity: opts.inboundCapacity ?? 24,
      smartMode: opts.smartMode ?? false,
    };
    this.wsPort = this.opts.wsPort;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.wsPort}/`;
  }

  /** Creates the pseudo-terminal pair and boots the device. */
  async start(): Promise<void> {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "mimiclaw-sim-"));
    const devPath = path.join(this.dir, "device");
    this.serialPath = path.join(this.dir, "ttyUSB0");
    this.socat = spawn("socat", [`pty,raw,echo=0,link=${devPath}`, `pty,raw,echo=0,link=${this.serialPath}`], {
      stdio: "ignore",
    });
    const deadline = Date.now() + 5000;
    while (!(fs.existsSync(devPath) && fs.existsSync(this.serialPath))) {
      if (Date.now() > deadline) throw new Error("socat did not create the pseudo-terminals (is socat installed?)");
      await sleep(20);
    }
    this.devFd = fs.openSync(devPath, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
    this.reader = new tty.ReadStream(this.devFd);
    this.reader.setRawMode(true);
    this.writer = new tty.WriteStream(this.devFd);
    this.reader.on("data", (d: Buffer) => this.onSerial(d));
    this.reader.on("error", () => undefined);
    this.writer.on("error", () => undefined);
    await this.boot(false);
  }

  /** Stops everything. */
  async close(): Promise<void> {
    clearTimeout(this.bootTimer);
    await this.stopWs();
    this.reader?.destroy();
    this.writer?.destroy();
    this.socat?.kill("SIGTERM");
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Power-cycles the device (what `restart` does): WebSocket clients vanish, the console reboots. */
  async restart(): Promise<void> {
    this.restarts++;
    await this.powerOff();
    await new Promise<void>((resolve) => {
      this.bootTimer = setTimeout(() => void this.boot(true).then(resolve), this.opts.bootMs);
    });
  }

  /** Cuts power: WebSocket connections drop without a close frame, pending work is lost. */
  async powerOff(): Promise<void> {
    this.powered = false;
    this.inbound = [];
    await this.stopWs();
  }

  /** Boots after {@link powerOff}. */
  async powerOn(): Promise<void> {
    await this.boot(true);
  }

  // ---------------------------------------------------------------- serial

  private print(text: string): void {
    // The UART VFS turns every LF into CR LF on the way out.
    const out = text.replace(/\n/g, "\r\n");
    this.serialOut += out;
    this.writer?.write(out);
  }

  private async boot(reboot: boolean): Promise<void> {
    if (reboot) {
      this.print("ESP-ROM:esp32s3-20210327\nBuild:Mar 27 2021\nrst:0xc (RTC_SW_CPU_RST),boot:0x8 (SPI_FAST_FLASH_BOOT)\n");
    }
    this.print("I (312) mimi: ========================================\n");
    this.print("I (318) mimi:   MimiClaw - ESP32-S3 AI Agent\n");
    this.print(`I (330) llm: LLM proxy initialized (provider: ${this.nvs.get("provider") ?? "anthropic"}, model: ${this.nvs.get("model") ?? "claude-opus-4-5"})\n`);
    // linenoiseProbe: a Device Status Request nobody answers -> dumb mode.
    this.print("\x1b[5n");
    this.print(
      "\r\nType 'help' to get the list of commands.\r\nUse UP/DOWN arrows to navigate through command history.\r\nPress TAB when typing command name to auto-complete.\r\n",
    );
    this.print(
      "\r\nYour terminal application does not support escape sequences.\n\nLine editing and history features are disabled.\n\nOn Windows, try using Putty instead.\r\n",
    );
    this.lineBuf = "";
    this.powered = true;
    this.prompt();
    await this.startWs();
    this.print("I (2410) ws: WebSocket server started on port 18789\n");
  }

  private onSerial(data: Buffer): void {
    const text = data.toString("latin1");
    this.rawSerialIn += text;
    if (!this.powered) return;
    for (const raw of text) {
      if (this.cursorReply !== undefined) {
        // getCursorPosition(): read until 'R' (at most 31 bytes), then show the prompt.
        this.cursorReply += raw;
        if (raw === "R" || this.cursorReply.length >= 31) {
          this.cursorReply = undefined;
          this.print("\x1b[0;32mmimi>  \x1b[0m");
        }
        continue;
      }
      // UART VFS rx line endings CR: CR becomes LF.
      const c = raw === "\r" ? "\n" : raw;
      const code = c.charCodeAt(0);
      if (c === "\n") {
        this.endLine();
        continue;
      }
      if (code >= 0x1c && code <= 0x1f) continue;
      if (code === 0x7f || code === 0x08) {
        this.lineBuf = this.lineBuf.slice(0, -1);
        this.print("\x08 ");
        this.print(c);
        continue;
      }
      this.lineBuf += c;
      this.print(c);
      // linenoiseDumb stops reading at buflen (256): the rest starts a new line.
      if (this.lineBuf.length >= 256) this.endLine();
    }
  }

  private prompt(): void {
    if (this.opts.smartMode) {
      this.cursorReply = "";
      this.print("\x1b[6n");
    } else {
      this.print("mimi>  ");
    }
  }

  private endLine(): void {
    const line = this.lineBuf;
    this.lineBuf = "";
    this.print("\n");
    // sanitize(): only isprint() bytes stay (UTF-8 bytes and controls vanish).
    const clean = [...line].filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) <= 0x7e).join("");
    this.lines.push(clean);
    const restarting = this.run(clean.slice(0, 255));
    if (!restarting && this.powered) this.prompt();
  }

  /** esp_console_run plus the REPL's reporting. Returns true when the device is rebooting. */
  private run(line: string): boolean {
    const argv = splitArgv(line, 32);
    if (argv.length === 0) return false;
    const name = argv[0]!;
    const cmd = this.commands()[name];
    if (!cmd || this.opts.missingCommands.includes(name)) {
      this.print("Unrecognized command\n");
      return false;
    }
    const result = cmd(argv);
    if (result === "restart") return true;
    if (result !== 0) this.print(`Command returned non-zero error code: 0x${result.toString(16)} (ERROR)\n`);
    return false;
  }

  private withArgs(argv: string[], slots: Slot[], endMax: number, fn: (v: Parsed["values"]) => number): number {
    const parsed = argtableParse(argv, slots, endMax);
    if (parsed.errors.length > 0) {
      for (const e of parsed.errors) this.print(`${argv[0]}: ${e}\n`);
      return 1;
    }
    return fn(parsed.values);
  }

  private commands(): Record<string, (argv: string[]) => number | "restart"> {
    const str1 = (datatype: string): Slot => ({ datatype, kind: "str", min: 1, max: 1 });
    return {
      help: () => {
        this.print("help\n  Print the list of registered commands\n\nset_wifi  <ssid> <password>\n  Set WiFi SSID and password\n");
        return 0;
      },
      set_wifi: (argv) =>
        this.withArgs(argv, [str1("<ssid>"), str1("<password>")], 2, ([ssid, pass]) => {
          this.nvs.set("ssid", String(ssid));
          this.nvs.set("password", String(pass));
          this.print("WiFi credentials saved. Restart to apply.\n");
          return 0;
        }),
      wifi_status: () => {
        this.print("WiFi connected: no\nIP: 0.0.0.0\n");
        return 0;
      },
      set_tg_token: (argv) =>
        this.withArgs(argv, [str1("<token>")], 1, ([t]) => {
          this.nvs.set("tg_token", String(t));
          this.print("Telegram bot token saved.\n");
          return 0;
        }),
      set_api_key: (argv) =>
        this.withArgs(argv, [str1("<key>")], 1, ([k]) => {
          this.nvs.set("api_key", String(k));
          this.print("API key saved.\n");
          return 0;
        }),
      set_model: (argv) =>
        this.withArgs(argv, [str1("<model>")], 1, ([m]) => {
          this.nvs.set("model", String(m));
          this.print("Model set.\n");
          return 0;
        }),
      set_model_provider: (argv) =>
        this.withArgs(argv, [str1("<provider>")], 1, ([p]) => {
          this.nvs.set("provider", String(p));
          this.print("Model provider set.\n");
          return 0;
        }),
      set_proxy: (argv) =>
        this.withArgs(
          argv,
          [str1("<host>"), { datatype: "<port>", kind: "int", min: 1, max: 1 }, { datatype: "<type>", kind: "str", min: 0, max: 1 }],
          3,
          ([host, port, type]) => {
            const t = type === undefined || type === "" ? "http" : String(type);
            if (t !== "http" && t !== "socks5") {
              this.print(`Invalid proxy type: ${t}. Use http or socks5.\n`);
              return 1;
            }
            this.nvs.set("proxy_host", String(host));
            this.nvs.set("proxy_port", String((port as number) & 0xffff));
            this.nvs.set("proxy_type", t);
            this.print("Proxy set. Restart to apply.\n");
            return 0;
          },
        ),
      clear_proxy: () => {
        this.nvs.delete("proxy_host");
        this.nvs.delete("proxy_port");
        this.nvs.delete("proxy_type");
        this.print("Proxy cleared. Restart to apply.\n");
        return 0;
      },
      config_show: () => {
        this.print(this.configShow());
        return 0;
      },
      config_reset: () => {
        this.nvs.clear();
        this.print("All NVS config cleared. Build-time defaults will be used on restart.\n");
        return 0;
      },
      restart: () => {
        this.print("Restarting...\n");
        void this.restart();
        return "restart";
      },
    };
  }

  private configShow(): string {
    const row = (label: string, key: NvsKey, buildVal: string, mask: boolean) => {
      let source = "not set";
      let display = "(empty)";
      const v = this.nvs.get(key);
      // Upstream reads into char[128]: a longer string fails to load and is not shown.
      if (v !== undefined && v.length > 0 && v.length < 128) {
        source = "NVS";
        display = v;
      }
      if (source === "not set" && buildVal !== "") {
        source = "build";
        display = buildVal;
      }
      if (mask && display.length > 6 && display !== "(empty)") display = `${display.slice(0, 4)}****`;
      return `  ${label.padEnd(14)}: ${display}  [${source}]\n`;
    };
    const port = this.nvs.get("proxy_port");
    const portRow = `  ${"Proxy Port".padEnd(14)}: ${port && port !== "0" ? port : "(empty)"}  [${port && port !== "0" ? "NVS" : "not set"}]\n`;
    return (
      "=== Current Configuration ===\n" +
      row("WiFi SSID", "ssid", "", false) +
      row("WiFi Pass", "password", "", true) +
      row("TG Token", "tg_token", "", true) +
      row("API Key", "api_key", "", true) +
      row("Model", "model", "", false) +
      row("Provider", "provider", "anthropic", false) +
      row("Proxy Host", "proxy_host", "", false) +
      portRow +
      `  ${"Search Key".padEnd(14)}: (empty)  [not set]\n` +
      `  ${"Tavily Key".padEnd(14)}: (empty)  [not set]\n` +
      "=============================\n"
    );
  }

  // ------------------------------------------------------------- websocket

  private async startWs(): Promise<void> {
    this.wss = new WebSocketServer({ noServer: true });
    this.http = http.createServer((_req, res) => {
      res.writeHead(400).end();
    });
    this.http.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.http.on("upgrade", (req, socket, head) => {
      const url = new URL(req.url ?? "/", "http://device");
      if (url.pathname !== "/" && url.pathname !== "/ws") {
        socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
        return;
      }
      if (this.clients.size >= 4) {
        socket.destroy();
        return;
      }
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.onClient(ws));
    });
    await new Promise<void>((resolve) => this.http!.listen(this.wsPort, "127.0.0.1", resolve));
    this.wsPort = (this.http.address() as AddressInfo).port;
  }

  private async stopWs(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    for (const ws of this.clients.keys()) ws.terminate();
    this.clients.clear();
    this.wss?.close();
    if (this.http) await new Promise<void>((resolve) => this.http!.close(() => resolve()));
    this.http = undefined;
    this.wss = undefined;
  }

  private onClient(ws: WebSocket): void {
    const client = { fd: this.nextFd++, chatId: "" };
    client.chatId = `ws_${client.fd}`;
    this.clients.set(ws, client);
    ws.on("close", () => this.clients.delete(ws));
    ws.on("error", () => this.clients.delete(ws));
    ws.on("message", (data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return; // "Invalid JSON from fd=%d"
      }
      if (!msg || typeof msg !== "object") return;
      const m = msg as Record<string, unknown>;
      if (m.type === "ping") {
        ws.send(JSON.stringify({ type: "pong", ts: typeof m.ts === "number" ? m.ts : Date.now() }));
        return;
      }
      if (m.type === "message" && typeof m.content === "string") {
        let chatId = client.chatId;
        if (typeof m.chat_id === "string") {
          chatId = m.chat_id.slice(0, 63);
          client.chatId = m.chat_id.slice(0, 31);
        }
        const item = { content: m.content, chat_id: chatId };
        this.received.push(item);
        if (this.inbound.length >= this.opts.inboundCapacity) {
          this.dropped.push({ reason: "inbound queue full", ...item });
          return;
        }
        this.inbound.push(item);
        void this.agent();
      }
    });
  }

  private async agent(): Promise<void> {
    if (this.agentBusy) return;
    this.agentBusy = true;
    try {
      while (this.inbound.length > 0 && this.powered) {
        const msg = this.inbound.shift()!;
        if (this.opts.workingStatus) this.respond(msg.chat_id, "\u{1F431}mimi is working...");
        if (this.opts.replyDelayMs > 0) await sleep(this.opts.replyDelayMs);
        if (!this.powered) break;
        this.respond(msg.chat_id, `echo: ${msg.content}`);
      }
    } finally {
      this.agentBusy = false;
    }
  }

  private respond(chatId: string, content: string): void {
    for (const [ws, c] of this.clients) {
      if (c.chatId === chatId) {
        ws.send(JSON.stringify({ type: "response", content, chat_id: chatId }));
        return;
      }
    }
    this.dropped.push({ reason: `No WS client with chat_id=${chatId}`, content, chat_id: chatId });
  }
}

/** argtable3's three passes (getopt, untagged, check) for commands with positional arguments only. */
export function argtableParse(argv: string[], slots: Slot[], endMax: number): Parsed {
  const errors: string[] = [];
  const register = (e: string) => {
    if (errors.length < endMax) errors.push(e);
    else errors[endMax - 1] = "too many errors to display";
  };
  const positional: string[] = [];
  let endOfOptions = false;
  for (const a of argv.slice(1)) {
    if (endOfOptions) positional.push(a);
    else if (a === "--") endOfOptions = true;
    else if (a.startsWith("--")) register(`invalid option "${a}"`);
    else if (a.startsWith("-") && a.length > 1) for (const c of a.slice(1)) register(`invalid option "-${c}"`);
    else positional.push(a);
  }
  const counts = slots.map(() => 0);
  const values: Parsed["values"] = slots.map(() => undefined);
  let tab = 0;
  let i = 0;
  let tentative: string | undefined;
  let exhausted = false;
  while (tab < slots.length) {
    if (i >= positional.length) {
      exhausted = true;
      break;
    }
    const slot = slots[tab]!;
    const arg = positional[i]!;
    let err: string | undefined;
    let value: string | number | undefined = arg;
    if (counts[tab]! >= slot.max) err = `excess option ${arg}`;
    else if (slot.kind === "int") {
      value = parseArgInt(arg);
      if (value === undefined) err = `invalid argument "${arg}" to option ${slot.datatype}`;
    }
    if (err === undefined) {
      values[tab] = value;
      counts[tab]!++;
      i++;
      tentative = undefined;
    } else {
      tab++;
      tentative = err;
    }
  }
  if (!exhausted) {
    if (tentative !== undefined) {
      register(tentative);
      i++;
    }
    while (i < positional.length) register(`unexpected argument "${positional[i++]}"`);
  }
  slots.forEach((s, k) => {
    if (counts[k]! < s.min) register(`missing option ${s.datatype}`);
  });
  return { values, errors };
}

/** argtable3 arg_int: hex (0x), octal (0o), binary (0b) or decimal, optional KB/MB/GB suffix. */
function parseArgInt(s: string): number | undefined {
  const m = /^\s*([+-]?)(?:0x([0-9a-f]+)|0o([0-7]+)|0b([01]+)|(\d+))(kb|mb|gb)?$/i.exec(s);
  if (!m) return undefined;
  const [, sign, hex, oct, bin, dec, suffix] = m;
  let v = hex ? parseInt(hex, 16) : oct ? parseInt(oct, 8) : bin ? parseInt(bin, 2) : parseInt(dec!, 10);
  if (sign === "-") v = -v;
  const mult = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[suffix?.toLowerCase() ?? ""] ?? 1;
  v *= mult;
  if (v > 2147483647 || v < -2147483648) return undefined;
  return v;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
