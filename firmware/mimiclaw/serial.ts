/**
 * A serial console session without native modules: the port is configured
 * with `stty` (speed, raw, no echo) and read/written through Node's tty
 * streams, which work on any terminal device (USB-UART, pseudo-terminal).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import tty from "node:tty";
import { consoleLines, PROMPT, stripAnsi } from "./console";

/** The `stty` arguments that make a port a plain 8N1 byte pipe at `baud`. */
export function sttyArgs(port: string, baud: number): string[] {
  return [
    "-F",
    port,
    String(baud),
    "raw",
    "-echo",
    "-echoe",
    "-echok",
    "-echoctl",
    "-echoke",
    "cs8",
    "-cstopb",
    "-parenb",
    "-crtscts",
    "clocal",
    // Keep DTR up on close: on many ESP32 boards a DTR drop resets the chip.
    "-hupcl",
  ];
}

export class ConsoleSession {
  private buf = "";
  private readonly reader: tty.ReadStream;
  private readonly writer: tty.WriteStream;
  private waiters: (() => void)[] = [];
  private closed = false;
  private failure?: Error;

  private constructor(private readonly fd: number) {
    this.reader = new tty.ReadStream(fd);
    this.reader.setRawMode(true);
    this.writer = new tty.WriteStream(fd);
    this.reader.on("data", (d: Buffer) => {
      const text = d.toString("latin1");
      // A console in full (non-dumb) mode asks for the cursor position and
      // blocks until it gets an answer: give it one.
      if (text.includes("\x1b[6n")) this.writer.write("\x1b[1;80R");
      this.buf += text;
      this.wake();
    });
    const fail = (e: Error) => {
      this.failure = e;
      this.wake();
    };
    this.reader.on("error", fail);
    this.writer.on("error", fail);
    this.reader.on("close", () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Opens `port` at `baud` after configuring it with stty. */
  static open(port: string, baud: number): ConsoleSession {
    if (!fs.existsSync(port)) throw new Error(`serial port ${port} does not exist`);
    execFileSync("stty", sttyArgs(port, baud), { stdio: ["ignore", "ignore", "pipe"] });
    const fd = fs.openSync(port, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
    if (!tty.isatty(fd)) {
      fs.closeSync(fd);
      throw new Error(`${port} is not a terminal device`);
    }
    return new ConsoleSession(fd);
  }

  close(): void {
    this.reader.destroy();
    this.writer.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Everything received since the last {@link take}. */
  take(): string {
    const out = this.buf;
    this.buf = "";
    return out;
  }

  /** Sends raw text (no line ending added). */
  async write(text: string): Promise<void> {
    await new Promise<void>((resolve, reject) => this.writer.write(text, (e) => (e ? reject(e) : resolve())));
  }

  /**
   * Waits until `done(received)` is true, where `received` is all output since
   * the last take(); returns that output (and consumes it).
   */
  async waitFor(done: (received: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.failure) throw new Error(`serial port error while waiting for ${what}: ${this.failure.message}`);
      if (done(this.buf)) return this.take();
      if (this.closed) throw new Error(`serial port closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError(`no ${what} within ${timeoutMs} ms`, this.buf);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

export class TimeoutError extends Error {
  constructor(
    message: string,
    /** What had arrived so far (may hold secrets: redact before showing). */
    readonly received: string,
  ) {
    super(message);
  }
}

/**
 * True when `received` ends with the console prompt on a line of its own
 * (`mimi> ` plus ESP-IDF's extra space, colour codes removed).
 */
export function endsWithPrompt(received: string): boolean {
  const lines = consoleLines(received);
  const last = lines[lines.length - 1] ?? "";
  return stripAnsi(last).trimEnd() === PROMPT.trimEnd();
}
