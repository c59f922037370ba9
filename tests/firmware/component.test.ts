/**
 * MimiClaw under Pulumi mocks: the resources it declares, their triggers, and
 * that every secret stays secret (no plaintext copy anywhere in any input).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { passwordLine, renderAclFile } from "../../firmware/bridge/broker-config";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const recorded: Recorded[] = [];

const isSecretMarker = (v: unknown): v is { value: unknown } =>
  typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG] === SECRET_SIG;

/** The inputs with secret markers removed (values kept). */
function plain(v: unknown): unknown {
  if (isSecretMarker(v)) return plain(v.value);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Every string in `v` that is NOT under a secret marker. */
function exposedStrings(v: unknown, out: string[] = []): string[] {
  if (isSecretMarker(v)) return out;
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => exposedStrings(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => exposedStrings(x, out));
  return out;
}

const MANIFEST = {
  version: "v0.1.0",
  commit: null,
  builder: "docker",
  idfImage: "x",
  images: {
    bootloader: { file: "bootloader.bin", sha256: "a".repeat(64), size: 1 },
    partitionTable: { file: "partition-table.bin", sha256: "b".repeat(64), size: 1 },
    otaData: { file: "ota_data_initial.bin", sha256: "c".repeat(64), size: 1 },
    app: { file: "mimiclaw.bin", sha256: "d".repeat(64), size: 1 },
  },
};

let mod: typeof import("../../components/mimiclaw");

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "command:local:Command") state.stdout = JSON.stringify(MANIFEST);
        if (args.type === "random:index/randomPassword:RandomPassword") state.result = `generated-${args.name}`;
        if (args.type === "docker:index/remoteImage:RemoteImage") state.imageId = `sha256:image-of-${args.name}`;
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "project",
    "stack",
    false,
  );
  mod = await import("../../components/mimiclaw");
});

const SECRETS = { wifi: "wifi-secret-Pa55", key: "sk-ant-secret-KEY-123", tg: "999:secret-telegram-TOKEN" };

function declare(name: string, over: Partial<import("../../components/mimiclaw").MimiClawArgs> = {}) {
  const provider = new (require("@pulumi/docker") as typeof import("@pulumi/docker")).Provider(`${name}-docker`, {});
  return new mod.MimiClaw(name, {
    deviceId: name,
    serialPort: "/dev/ttyACM0",
    wifiSsid: "Home Net",
    wifiPassword: pulumi.secret(SECRETS.wifi),
    provider: "anthropic",
    model: "claude-opus-4-5",
    apiKey: pulumi.secret(SECRETS.key),
    telegramToken: pulumi.secret(SECRETS.tg),
    deviceAddress: "192.168.1.50:18789",
    dockerProvider: provider,
    bridgeImage: "ghcr.io/clawlab/bridge:1@sha256:" + "e".repeat(64),
    network: "clawlab",
    repoRoot: "/repo",
    workDir: "/work",
    ...over,
  });
}

const outputOf = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
const settle = () => new Promise((r) => setTimeout(r, 200));
const of = (name: string) => recorded.find((r) => r.name === name)!;

describe("MimiClaw", () => {
  it("declares build, flash, provision, broker and bridge as children named <name>-<role>", async () => {
    const c = declare("dev1");
    await outputOf(c.healthUrl);
    await settle();
    const mine = recorded.filter((r) => r.name.startsWith("dev1-"));
    expect(mine.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        "command:local:Command dev1-build",
        "command:local:Command dev1-flash",
        "command:local:Command dev1-provision",
        "docker:index/container:Container dev1-bridge",
        "docker:index/container:Container dev1-broker",
        "docker:index/remoteImage:RemoteImage dev1-bridge-image",
        "docker:index/remoteImage:RemoteImage dev1-broker-image",
        "docker:index/volume:Volume dev1-broker-data",
        "pulumi:providers:docker dev1-docker",
        "random:index/randomPassword:RandomPassword dev1-bridge-password",
        "random:index/randomPassword:RandomPassword dev1-device-password",
      ].sort(),
    );
    expect(c.topics.inbox).toBe("clawlab/devices/dev1/inbox");
    expect(await outputOf(c.healthUrl)).toBe("http://clawlab-mimiclaw-dev1-bridge:8080/health");
    expect(await outputOf(c.imageHashes)).toEqual({ bootloader: "a".repeat(64), partitionTable: "b".repeat(64), otaData: "c".repeat(64), app: "d".repeat(64) });
    expect(await pulumi.isSecret(c.devicePassword)).toBe(true);
  });

  it("runs the firmware scripts with settings in the environment only, secrets marked secret", () => {
    const build = plain(of("dev1-build").inputs) as Record<string, unknown>;
    expect(build).toMatchObject({
      dir: "/repo",
      create: "node --import tsx firmware/mimiclaw/build.ts",
      environment: { MIMICLAW_VERSION: "v0.1.0", MIMICLAW_OUT_DIR: "/work/images/dev1-v0.1.0" },
    });
    const flash = plain(of("dev1-flash").inputs) as Record<string, unknown>;
    expect(flash).toMatchObject({
      create: "node --import tsx firmware/mimiclaw/flash.ts",
      environment: { MIMICLAW_SERIAL_PORT: "/dev/ttyACM0", MIMICLAW_FLASH_BAUD: "460800", MIMICLAW_IMAGES_DIR: "/work/images/dev1-v0.1.0" },
    });
    const prov = of("dev1-provision").inputs;
    expect(plain(prov)).toMatchObject({
      create: "node --import tsx firmware/mimiclaw/provision.ts",
      delete: "node --import tsx firmware/mimiclaw/provision.ts --reset",
      environment: {
        MIMICLAW_SERIAL_PORT: "/dev/ttyACM0",
        MIMICLAW_SERIAL_BAUD: "115200",
        MIMICLAW_WIFI_SSID: "Home Net",
        MIMICLAW_WIFI_PASSWORD: SECRETS.wifi,
        MIMICLAW_PROVIDER: "anthropic",
        MIMICLAW_MODEL: "claude-opus-4-5",
        MIMICLAW_API_KEY: SECRETS.key,
        MIMICLAW_TG_TOKEN: SECRETS.tg,
      },
    });
    expect((plain(prov) as { environment: Record<string, string> }).environment.MIMICLAW_PROXY).toBeUndefined();
  });

  it("never exposes a secret outside a secret marker, in any resource's inputs", () => {
    const generated = recorded.filter((r) => r.type.includes("RandomPassword")).map((r) => `generated-${r.name}`);
    const secrets = [...Object.values(SECRETS), ...generated];
    for (const r of recorded) {
      for (const s of exposedStrings(r.inputs)) {
        for (const secret of secrets) expect(s.includes(secret), `${r.name} exposes a secret`).toBe(false);
      }
    }
    // ...and the secrets are really there, marked (the check above is not vacuous).
    const provEnv = of("dev1-provision").inputs.environment;
    expect(JSON.stringify(provEnv)).toContain(SECRETS.key);
  });

  it("flash triggers are the image hashes and the port; provision triggers are the port and id", () => {
    const flash = plain(of("dev1-flash").inputs) as { triggers: unknown[] };
    expect(flash.triggers).toEqual([JSON.stringify({ bootloader: "a".repeat(64), partitionTable: "b".repeat(64), otaData: "c".repeat(64), app: "d".repeat(64) }), "/dev/ttyACM0"]);
    expect((plain(of("dev1-provision").inputs) as { triggers: unknown[] }).triggers).toEqual(["/dev/ttyACM0", "dev1"]);
    expect((plain(of("dev1-build").inputs) as { triggers: unknown[] }).triggers).toEqual(["v0.1.0", expect.stringMatching(/^espressif\/idf:v5\.5\.2@sha256:[0-9a-f]{64}$/), ""]);
  });

  it("same inputs give the same resource inputs; a new baud does not touch triggers, a new key changes only provisioning", async () => {
    declare("dev2");
    declare("dev3", { flashBaud: 921600, baud: 9600 });
    declare("dev4", { apiKey: pulumi.secret("sk-other-key-456") });
    await settle();
    const norm = (n: string) => JSON.stringify(plain(of(n).inputs)).replaceAll(n.slice(0, 4), "devX");
    expect(norm("dev2-flash")).toBe(norm("dev1-flash").replaceAll("dev1", "devX"));
    expect(norm("dev2-provision")).toBe(norm("dev1-provision").replaceAll("dev1", "devX"));
    const triggers = (n: string) => JSON.stringify((plain(of(n).inputs) as { triggers: unknown }).triggers).replaceAll(n.slice(0, 4), "devX");
    expect(triggers("dev3-flash")).toBe(triggers("dev2-flash"));
    expect(triggers("dev4-flash")).toBe(triggers("dev2-flash"));
    expect(triggers("dev4-provision")).toBe(triggers("dev2-provision"));
    expect(norm("dev4-provision")).not.toBe(norm("dev2-provision"));
  });

  it("broker: pinned image, auth on, one credential and ACL per device and per bridge, persistence volume", () => {
    const image = plain(of("dev1-broker-image").inputs) as { name: string };
    expect(image.name).toMatch(/^eclipse-mosquitto:2\.0\.22@sha256:[0-9a-f]{64}$/);
    const broker = plain(of("dev1-broker").inputs) as {
      name: string;
      uploads: { file: string; content: string; permissions: string; owner: string }[];
      volumes: { containerPath: string }[];
      networksAdvanced: { name: string }[];
    };
    expect(broker.name).toBe("clawlab-mimiclaw-dev1-broker");
    expect(broker.volumes).toEqual([{ volumeName: "clawlab-mimiclaw-dev1-broker-data", containerPath: "/mosquitto/data" }]);
    expect(broker.networksAdvanced).toEqual([{ name: "clawlab" }]);
    const file = (f: string) => broker.uploads.find((u) => u.file === `/mosquitto/config/${f}`)!;
    expect(file("mosquitto.conf").content).toContain("allow_anonymous false");
    expect(file("mosquitto.conf").content).toContain("persistence true");
    expect(file("passwd").content).toBe(
      `${passwordLine("device-dev1", "generated-dev1-device-password")}\n${passwordLine("bridge-dev1", "generated-dev1-bridge-password")}\n`,
    );
    expect(file("acl").content).toBe(renderAclFile(["dev1"]));
    expect(broker.uploads.every((u) => u.permissions === "0600" && u.owner === "1883")).toBe(true);
    // The password file is secret in the inputs.
    const rawUploads = of("dev1-broker").inputs.uploads as unknown[];
    expect(JSON.stringify(exposedStrings(rawUploads))).not.toContain("$7$");
  });

  it("bridge: env without password, password as a 0400 file for its uid, on the broker's network", () => {
    const bridge = plain(of("dev1-bridge").inputs) as { envs: string[]; uploads: { file: string; content: string; permissions: string; owner: string }[]; networksAdvanced: unknown[] };
    expect(bridge.envs).toEqual([
      "BRIDGE_DEVICE_ID=dev1",
      "BRIDGE_DEVICE_URL=ws://192.168.1.50:18789/",
      "BRIDGE_MQTT_URL=mqtt://clawlab-mimiclaw-dev1-broker:1883",
      "BRIDGE_MQTT_USERNAME=bridge-dev1",
      "BRIDGE_MQTT_PASSWORD_FILE=/run/secrets/mqtt_password",
      "BRIDGE_HTTP_PORT=8080",
    ]);
    expect(bridge.uploads).toEqual([{ file: "/run/secrets/mqtt_password", content: "generated-dev1-bridge-password", owner: "10001", group: "10001", permissions: "0400" }]);
    expect(bridge.networksAdvanced).toEqual([{ name: "clawlab" }]);
    expect((plain(of("dev1-bridge-image").inputs) as { name: string }).name).toMatch(/@sha256:/);
  });

  it("rejects bad arguments, listing each", () => {
    expect(() => declare("Bad Id", { deviceAddress: "no-port", provider: "gemini" as "openai" })).toThrow(
      /deviceId: .*\n.*provider: must be anthropic or openai\n.*deviceAddress: must be host:port/,
    );
  });
});
