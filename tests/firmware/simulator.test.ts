/**
 * The simulator must reject what the real console rejects and route WebSocket
 * replies like upstream, or the provisioning and bridge tests prove nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { stripAnsi } from "../../firmware/mimiclaw/console";
import { ConsoleSession, endsWithPrompt } from "../../firmware/mimiclaw/serial";
import { ensureTestTools } from "./services";
import { MimiClawSimulator, argtableParse } from "./simulator";

/** Types one line and returns the reply lines (echo and prompt removed). */
async function type(session: ConsoleSession, line: string): Promise<string[]> {
  session.take();
  await session.write(`${line}\r`);
  const out = await session.waitFor((r) => r.includes("\n") && endsWithPrompt(r), 3000, "reply");
  const lines = stripAnsi(out).split(/\r?\n|\r/).map((l) => l.trim());
  return lines.slice(1).filter((l) => l !== "" && l !== "mimi>");
}

describe("serial console model", () => {
  let sim: MimiClawSimulator;
  let session: ConsoleSession;
  beforeAll(async () => {
    ensureTestTools();
    sim = new MimiClawSimulator();
    await sim.start();
    session = ConsoleSession.open(sim.serialPath, 115200);
    await session.write("\r");
    await session.waitFor(endsWithPrompt, 3000, "prompt");
  });
  afterAll(async () => {
    session?.close();
    await sim?.close();
  });

  it("shows the ESP-IDF prompt (mimi> plus one space) and dumb-mode banner", () => {
    expect(sim.serialOut).toContain("mimi>  ");
    expect(sim.serialOut).toContain("Your terminal application does not support escape sequences.");
  });

  it("rejects unknown commands like the REPL", async () => {
    expect(await type(session, "wifi_set a b")).toEqual(["Unrecognized command"]);
  });

  it("reports argtable errors and the non-zero return code", async () => {
    expect(await type(session, "set_wifi onlyssid")).toEqual([
      "set_wifi: missing option <password>",
      "Command returned non-zero error code: 0x1 (ERROR)",
    ]);
    expect(await type(session, "set_model a b")).toEqual(["set_model: excess option b", "Command returned non-zero error code: 0x1 (ERROR)"]);
    expect(await type(session, "set_proxy host abc")).toEqual(["set_proxy: missing option <port>", "Command returned non-zero error code: 0x1 (ERROR)"]);
    expect(await type(session, "set_proxy host 80 ftp")).toEqual(["Invalid proxy type: ftp. Use http or socks5.", "Command returned non-zero error code: 0x1 (ERROR)"]);
  });

  it("takes a leading dash for an option unless -- comes first", async () => {
    expect(await type(session, "set_wifi -x pass")).toEqual([
      'set_wifi: invalid option "-x"',
      "set_wifi: missing option <password>",
      "Command returned non-zero error code: 0x1 (ERROR)",
    ]);
    expect(await type(session, 'set_wifi -- "-net" "-pass word"')).toEqual(["WiFi credentials saved. Restart to apply."]);
    expect(sim.nvs.get("ssid")).toBe("-net");
    expect(sim.nvs.get("password")).toBe("-pass word");
  });

  it("drops non-ASCII bytes from a line (linenoise sanitize)", async () => {
    expect(await type(session, 'set_model "modèle-😀x"')).toEqual(["Model set."]);
    expect(sim.nvs.get("model")).toBe("modle-x");
  });

  it("cuts a line at 256 characters and runs the rest as the next command", async () => {
    const long = `set_model "${"m".repeat(260)}"`;
    session.take();
    await session.write(`${long}\r`);
    await session.waitFor((r) => (r.match(/mimi> {2}/g) ?? []).length >= 2, 3000, "two prompts");
    expect(sim.lines.slice(-2)).toEqual([long.slice(0, 256), long.slice(256)]);
  });

  it("masks secrets in config_show like upstream", async () => {
    await type(session, 'set_api_key "sk-abcdefgh"');
    const out = await type(session, "config_show");
    expect(out).toContain("API Key       : sk-a****  [NVS]");
  });

  it("argtable: errors beyond arg_end's count collapse into one line", () => {
    expect(argtableParse(["set_api_key", "-abc"], [{ datatype: "<key>", kind: "str", min: 1, max: 1 }], 1).errors).toEqual([
      "too many errors to display",
    ]);
  });
});

describe("WebSocket model", () => {
  let sim: MimiClawSimulator;
  beforeAll(async () => {
    ensureTestTools();
    sim = new MimiClawSimulator({ replyDelayMs: 150 });
    await sim.start();
  });
  afterAll(async () => {
    await sim?.close();
  });

  const open = async () => {
    const ws = new WebSocket(sim.wsUrl);
    const got: Record<string, unknown>[] = [];
    ws.on("message", (d) => got.push(JSON.parse(d.toString()) as Record<string, unknown>));
    await new Promise((r, j) => ws.once("open", r).once("error", j));
    return { ws, got };
  };
  const until = async (cond: () => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error("timeout");
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it("answers ping with pong carrying the ts", async () => {
    const { ws, got } = await open();
    ws.send(JSON.stringify({ type: "ping", ts: 42 }));
    await until(() => got.length === 1);
    expect(got[0]).toEqual({ type: "pong", ts: 42 });
    ws.close();
  });

  it("sends the working status and the answer to the client of that chat_id", async () => {
    const { ws, got } = await open();
    ws.send(JSON.stringify({ type: "message", content: "hi", chat_id: "c1" }));
    await until(() => got.length === 2);
    expect(got).toEqual([
      { type: "response", content: "\u{1F431}mimi is working...", chat_id: "c1" },
      { type: "response", content: "echo: hi", chat_id: "c1" },
    ]);
    ws.close();
  });

  it("drops an earlier chat's answer when the connection switches chat_id (upstream routing)", async () => {
    const { ws, got } = await open();
    const before = sim.dropped.length;
    ws.send(JSON.stringify({ type: "message", content: "first", chat_id: "a" }));
    ws.send(JSON.stringify({ type: "message", content: "second", chat_id: "b" }));
    await until(() => got.some((g) => g.content === "echo: second"));
    expect(got.some((g) => g.content === "echo: first")).toBe(false);
    expect(sim.dropped.slice(before).map((d) => d.content)).toContain("echo: first");
    ws.close();
  });

  it("accepts at most four clients", async () => {
    const clients = await Promise.all([open(), open(), open(), open()]);
    const fifth = new WebSocket(sim.wsUrl);
    const outcome = await new Promise<string>((r) => {
      fifth.once("open", () => r("open"));
      fifth.once("error", () => r("refused"));
      fifth.once("close", () => r("refused"));
    });
    expect(outcome).toBe("refused");
    for (const c of clients) c.ws.close();
  });
});
