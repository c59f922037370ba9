/**
 * Services the firmware tests need, installed and started by the tests
 * themselves (a fresh CI machine has neither): Debian's mosquitto and socat.
 *
 * The broker is started with tests/infra/mosquitto.sh (CONF PORT / stop PORT)
 * when present, else directly; the tests stop and restart it to prove that no
 * message is lost.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { type BrokerDevice, renderAclFile, renderMosquittoConf, renderPasswordFile } from "../../firmware/bridge/broker-config";

const INFRA_SCRIPT = path.resolve(__dirname, "../infra/mosquitto.sh");

const INFRA_LIB = path.resolve(__dirname, "../infra/lib.sh");

/**
 * Installs the Debian packages of the missing commands (needs root, as on CI).
 * Several test files may ask at once: tests/infra/lib.sh's apt_install waits
 * for the dpkg lock; without it, apt-get is told to wait for the lock itself.
 */
export function ensureCommands(commands: Record<string, string>): void {
  const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
  const missing = Object.entries(commands).filter(([cmd]) => !has(cmd));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map(([, pkg]) => pkg))];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (fs.existsSync(INFRA_LIB)) {
    execFileSync("sh", ["-c", `. "${INFRA_LIB}" && apt_install "$@"`, "apt_install", ...pkgs], { stdio: "inherit", env });
  } else {
    const apt = ["-o", "DPkg::Lock::Timeout=600"];
    execFileSync("apt-get", [...apt, "update", "-qq"], { stdio: "inherit", env });
    execFileSync("apt-get", [...apt, "install", "-y", "-qq", "--no-install-recommends", ...pkgs], { stdio: "inherit", env });
  }
  for (const [cmd] of missing) {
    if (!has(cmd)) throw new Error(`${cmd} is still missing after installing ${pkgs.join(" ")}`);
  }
}

export function ensureTestTools(): void {
  ensureCommands({ mosquitto: "mosquitto", socat: "socat" });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, "127.0.0.1");
      c.once("connect", () => {
        c.destroy();
        resolve(true);
      });
      c.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A real mosquitto with the generated password file, ACL and persistence. */
export class TestBroker {
  port = 0;
  readonly dir: string;
  private proc?: ChildProcess;
  private scripted = false;
  log = "";

  constructor(readonly devices: readonly BrokerDevice[]) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-mosquitto-"));
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const data = path.join(this.dir, "data");
    fs.mkdirSync(data, { recursive: true });
    const passwd = path.join(this.dir, "passwd");
    const acl = path.join(this.dir, "acl");
    fs.writeFileSync(passwd, renderPasswordFile(this.devices), { mode: 0o600 });
    fs.writeFileSync(acl, renderAclFile(this.devices.map((d) => d.id)), { mode: 0o600 });
    const user = os.userInfo().username;
    const conf = path.join(this.dir, "mosquitto.conf");
    const viaScript = fs.existsSync(INFRA_SCRIPT);
    fs.writeFileSync(
      conf,
      renderMosquittoConf(this.port, { passwordFile: passwd, aclFile: acl, persistenceDir: data }, { bindAddress: "127.0.0.1", user, logToStdout: !viaScript }),
    );
    if (viaScript) {
      const r = spawnSync("sh", [INFRA_SCRIPT, conf, String(this.port)], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`tests/infra/mosquitto.sh failed:\n${r.stderr}`);
      this.scripted = true;
      return;
    }
    this.proc = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
    this.proc.stdout!.on("data", (d: Buffer) => (this.log += d.toString()));
    this.proc.stderr!.on("data", (d: Buffer) => (this.log += d.toString()));
    try {
      await waitForPort(this.port);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nmosquitto log:\n${this.log}`);
    }
  }

  /** SIGTERM: mosquitto writes its persistence file and exits. */
  async stop(): Promise<void> {
    if (this.scripted) {
      const r = spawnSync("sh", [INFRA_SCRIPT, "stop", String(this.port)], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`tests/infra/mosquitto.sh stop failed:\n${r.stderr}`);
      this.scripted = false;
      return;
    }
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGTERM");
    });
    this.proc = undefined;
  }

  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs) await new Promise((r) => setTimeout(r, downMs));
    await this.start();
  }

  async close(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
