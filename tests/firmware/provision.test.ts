/**
 * Provisioning against the simulated device over a pseudo-terminal: the exact
 * command sequence, quoting, restart + config_show check, rejections, and
 * that no secret reaches argv, logs or error messages.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ProvisionValues } from "../../firmware/mimiclaw/console";
import { type ProvisionSettings, provision, resetDevice } from "../../firmware/mimiclaw/provision";
import { ensureTestTools } from "./services";
import { MimiClawSimulator, type SimulatorOptions } from "./simulator";

const ROOT = path.resolve(__dirname, "../..");

const tricky: ProvisionValues = {
  wifiSsid: 'My "Home" Net',
  wifiPassword: "-pa ss\\word\"x",
  provider: "openai",
  model: "gpt-4o mini\\v2",
  apiKey: "sk-proj-QUOTE\"BACK\\SLASH SPACE-0123456789",
  telegramToken: "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
  proxy: { host: "10.0.0.1", port: 7897, type: "socks5" },
};
const secrets = [tricky.wifiPassword, tricky.apiKey, tricky.telegramToken!];

let sims: MimiClawSimulator[] = [];
async function device(opts: SimulatorOptions = {}): Promise<MimiClawSimulator> {
  const sim = new MimiClawSimulator({ bootMs: 200, ...opts });
  await sim.start();
  sims.push(sim);
  return sim;
}
const settings = (sim: MimiClawSimulator, values: ProvisionValues): ProvisionSettings => ({
  port: sim.serialPath,
  baud: 115200,
  values,
  commandTimeoutMs: 3000,
  bootTimeoutMs: 5000,
});

beforeAll(() => ensureTestTools());
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

describe("provision", () => {
  it("sends the exact sequence, quoted so every value arrives intact, and confirms after restart", async () => {
    const sim = await device();
    const logs: string[] = [];
    await provision(settings(sim, tricky), (l) => logs.push(l));

    expect(sim.lines.filter((l) => l !== "")).toEqual([
      'set_wifi -- "My \\"Home\\" Net" "-pa ss\\\\word\\"x"',
      'set_api_key "sk-proj-QUOTE\\"BACK\\\\SLASH SPACE-0123456789"',
      'set_model "gpt-4o mini\\\\v2"',
      'set_model_provider "openai"',
      'set_tg_token "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"',
      'set_proxy "10.0.0.1" "7897" "socks5"',
      "restart",
      "config_show",
    ]);
    expect(Object.fromEntries(sim.nvs)).toEqual({
      ssid: 'My "Home" Net',
      password: "-pa ss\\word\"x",
      api_key: tricky.apiKey,
      model: "gpt-4o mini\\v2",
      provider: "openai",
      tg_token: tricky.telegramToken,
      proxy_host: "10.0.0.1",
      proxy_port: "7897",
      proxy_type: "socks5",
    });
    expect(sim.restarts).toBe(1);
    expect(logs.at(-1)).toMatch(/every provisioned value confirmed/);
    for (const s of secrets) expect(logs.join("\n")).not.toContain(s);
  });

  it("clears a proxy left from before when none is configured", async () => {
    const sim = await device();
    await provision(settings(sim, { ...tricky, proxy: { host: "1.2.3.4", port: 1, type: "http" } }));
    await provision(settings(sim, { ...tricky, proxy: undefined }));
    expect(sim.lines).toContain("clear_proxy");
    expect(sim.nvs.has("proxy_host")).toBe(false);
  });

  it("refuses unicode before sending anything (the console would drop those bytes)", async () => {
    const sim = await device();
    await expect(provision(settings(sim, { ...tricky, wifiSsid: "Café ☕" }))).rejects.toThrow(/wifiSsid: must be printable ASCII/);
    expect(sim.rawSerialIn).toBe("");
  });

  it("fails with the device's message when it rejects a command, and stops there", async () => {
    const sim = await device({ missingCommands: ["set_model_provider"] });
    const err = await provision(settings(sim, tricky)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe("the device rejected set_model_provider: Unrecognized command");
    expect(sim.lines.filter((l) => l !== "").map((l) => l.split(" ")[0])).toEqual(["set_wifi", "set_api_key", "set_model", "set_model_provider"]);
    expect(sim.restarts).toBe(0);
  });

  it("fails when config_show does not show what was set, without printing the secret", async () => {
    // A firmware that never stores the API key: every command "succeeds".
    const sim = await device();
    const original = sim.nvs.set.bind(sim.nvs);
    sim.nvs.set = (k, v) => (k === "api_key" ? sim.nvs : original(k, v));
    const err = (await provision(settings(sim, tricky)).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/config_show disagrees: config_show API Key does not match the provisioned value \(source \[not set\]\)/);
    for (const s of secrets) expect(err.message).not.toContain(s);
  });

  it("gives a clear error when nothing answers on the port", async () => {
    const sim = await device();
    await sim.powerOff();
    const err = (await provision({ ...settings(sim, tricky), bootTimeoutMs: 1500 }).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/did not show the "mimi> " prompt within 1500 ms/);
  });

  it("works with a console in full mode too: it answers the cursor-position query", async () => {
    const sim = await device({ smartMode: true });
    await provision(settings(sim, tricky));
    expect(sim.nvs.get("api_key")).toBe(tricky.apiKey);
    expect(sim.rawSerialIn).toContain("\x1b[1;80R");
  });

  it("reset wipes the stored settings", async () => {
    const sim = await device();
    await provision(settings(sim, tricky));
    await resetDevice(sim.serialPath, 115200, { commandTimeoutMs: 3000, bootTimeoutMs: 5000 });
    expect(sim.nvs.size).toBe(0);
  });
});

/** Runs the provisioning script as Pulumi does: settings in the environment only. */
function runCli(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; out: string; argv: string[] }> {
  const argv = [path.join(ROOT, "node_modules/.bin/tsx"), path.join(ROOT, "firmware/mimiclaw/provision.ts"), ...args];
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH!, HOME: os.tmpdir(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => resolve({ code, out, argv }));
  });
}

describe("provision.ts command line", () => {
  it("provisions from environment and *_FILE secrets, and prints no secret", async () => {
    const sim = await device();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prov-"));
    fs.writeFileSync(path.join(dir, "key"), `${tricky.apiKey}\n`, { mode: 0o600 });
    const env = {
      MIMICLAW_SERIAL_PORT: sim.serialPath,
      MIMICLAW_WIFI_SSID: tricky.wifiSsid,
      MIMICLAW_WIFI_PASSWORD: tricky.wifiPassword,
      MIMICLAW_PROVIDER: "openai",
      MIMICLAW_MODEL: tricky.model,
      MIMICLAW_API_KEY_FILE: path.join(dir, "key"),
      MIMICLAW_TG_TOKEN: tricky.telegramToken!,
      MIMICLAW_PROXY: "socks5://10.0.0.1:7897",
      MIMICLAW_BOOT_TIMEOUT_MS: "5000",
    };
    const r = await runCli(env);
    expect(r.out).toMatch(/provision: done/);
    expect(r.code).toBe(0);
    expect(sim.nvs.get("api_key")).toBe(tricky.apiKey);
    expect(sim.nvs.get("proxy_type")).toBe("socks5");
    for (const s of secrets) {
      expect(r.out).not.toContain(s);
      expect(r.argv.join(" ")).not.toContain(s);
    }
    fs.rmSync(dir, { recursive: true });
  }, 30_000);

  it("names every bad or missing variable and exits 2", async () => {
    const r = await runCli({ MIMICLAW_API_KEY: "x", MIMICLAW_API_KEY_FILE: "/nonexistent", MIMICLAW_PROVIDER: "gemini", MIMICLAW_PROXY: "nope" });
    expect(r.code).toBe(2);
    for (const v of ["MIMICLAW_SERIAL_PORT", "MIMICLAW_WIFI_SSID", "MIMICLAW_WIFI_PASSWORD", "MIMICLAW_MODEL", "MIMICLAW_PROVIDER=gemini", "MIMICLAW_API_KEY and MIMICLAW_API_KEY_FILE are both set", "MIMICLAW_PROXY=nope"]) {
      expect(r.out).toContain(v);
    }
  }, 30_000);

  it("--reset on a port that is not there warns and succeeds (nothing to wipe)", async () => {
    const r = await runCli({ MIMICLAW_SERIAL_PORT: "/dev/does-not-exist" }, ["--reset"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/NOT wiped/);
  }, 30_000);
});
