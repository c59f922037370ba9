import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as path from "node:path";
import { bridgeUser, deviceUser, renderAclFile, renderMosquittoConf, renderPasswordFile } from "../firmware/bridge/broker-config";
import { DEVICE_ID, type DeviceTopics, deviceTopics } from "../firmware/bridge/topics";
import { FLASH_LAYOUT, type ImageRole, UPSTREAM } from "../firmware/mimiclaw/layout";
import { CAP_DROP, NO_NEW_PRIVILEGES } from "./container-settings";

/** The broker image, pinned by digest (readable tag kept). */
export const MOSQUITTO_IMAGE = "eclipse-mosquitto:2.0.22@sha256:212f89e1eaeb2c322d6441b64396e3346026674db8fa9c27beac293405c32b3c";
/** Where the bridge image (firmware/bridge/Dockerfile) listens and reads its broker password. */
const BRIDGE_HTTP_PORT = 8080;
const BRIDGE_UID = "10001";
const BRIDGE_PASSWORD_FILE = "/run/secrets/mqtt_password";
/** eclipse-mosquitto runs as this uid after dropping root. */
const MOSQUITTO_UID = "1883";

/**
 * Broker and bridge run as their image's own non-root uid (mosquitto's entrypoint chowns
 * only when started as root; its data directory, so a new volume, is the uid's already),
 * with no capability and no way to gain one.
 */
const hardened = (uid: string) => ({
  user: `${uid}:${uid}`,
  capabilities: { drops: [...CAP_DROP] },
  securityOpts: [...NO_NEW_PRIVILEGES],
});

export interface MimiClawArgs {
  /** Device id: the topic level in `clawlab/devices/<id>/...`, and part of container and user names. Required; lower-case letters, digits, `-`, `_`. */
  deviceId: string;
  /** Upstream firmware git tag to build. Default: the pinned upstream version (`v0.1.0`). */
  firmwareVersion?: pulumi.Input<string>;
  /** Full commit id the tag must resolve to; the build stops if it does not. Default: not checked. */
  firmwareCommit?: pulumi.Input<string>;
  /** ESP-IDF image used when no local `idf.py` exists. Default: `espressif/idf:v5.5.2` pinned by digest. */
  idfImage?: pulumi.Input<string>;
  /** Serial port the device is flashed through, e.g. `/dev/ttyACM0`. Required. */
  serialPort: pulumi.Input<string>;
  /** Serial port of the console (the board's UART/COM port) when it differs. Default: `serialPort`. */
  consolePort?: pulumi.Input<string>;
  /** Console baud rate. Default 115200 (upstream). */
  baud?: pulumi.Input<number>;
  /** esptool baud rate. Default 460800 (upstream). Changing only this does not re-flash. */
  flashBaud?: pulumi.Input<number>;
  /** WiFi network name (printable ASCII, 1..32 characters). Required. */
  wifiSsid: pulumi.Input<string>;
  /** WiFi password (secret); empty for an open network. Required. */
  wifiPassword: pulumi.Input<string>;
  /** LLM provider. Required: `anthropic` or `openai`. */
  provider: "anthropic" | "openai";
  /** LLM model id (at most 63 characters). Required. */
  model: pulumi.Input<string>;
  /** LLM API key (secret). Required. */
  apiKey: pulumi.Input<string>;
  /** Telegram bot token (secret). Default: none (a token already on the device is left as is). */
  telegramToken?: pulumi.Input<string>;
  /** HTTP/SOCKS5 proxy for the device. Default: none (`clear_proxy` is sent). */
  proxy?: { host: pulumi.Input<string>; port: pulumi.Input<number>; type?: "http" | "socks5" };
  /** `host:port` of the device's WebSocket server (upstream port 18789), as the bridge container reaches it. Required. */
  deviceAddress: pulumi.Input<string>;
  /** Docker engine that runs the broker and the bridge. Required. */
  dockerProvider: docker.Provider;
  /** Bridge image built from `firmware/bridge/Dockerfile`, preferably `repo:tag@sha256:...`. Required. */
  bridgeImage: pulumi.Input<string>;
  /** Docker network the broker and the bridge join (the bridge finds the broker by container name). Required. */
  network: pulumi.Input<string>;
  /** Host port to publish the broker on. Default: not published (reachable on `network` only). */
  brokerHostPort?: number;
  /** Host port to publish the bridge's /health on. Default: not published. */
  bridgeHostPort?: number;
  /** Where the build keeps its checkout and images. Default: `~/.cache/clawlab/mimiclaw` of the user running Pulumi. */
  workDir?: string;
  /** Repository root the firmware scripts run from. Default: this repository. */
  repoRoot?: string;
}

interface Problem {
  path: string;
  reason: string;
}

/** Checks the plain (non-Output) parts of the arguments; throws once listing every problem. */
export function validateMimiClawArgs(args: MimiClawArgs): void {
  const problems: Problem[] = [];
  if (!DEVICE_ID.test(args.deviceId)) {
    problems.push({ path: "deviceId", reason: "lower-case letters, digits, - or _, starting with a letter or digit, at most 63 characters" });
  }
  if (args.provider !== "anthropic" && args.provider !== "openai") problems.push({ path: "provider", reason: "must be anthropic or openai" });
  if (typeof args.deviceAddress === "string" && !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(args.deviceAddress)) {
    problems.push({ path: "deviceAddress", reason: "must be host:port, e.g. 192.168.1.50:18789" });
  }
  if (args.proxy?.type !== undefined && args.proxy.type !== "http" && args.proxy.type !== "socks5") {
    problems.push({ path: "proxy.type", reason: "must be http or socks5" });
  }
  for (const [p, v] of [
    ["brokerHostPort", args.brokerHostPort],
    ["bridgeHostPort", args.bridgeHostPort],
  ] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 65535)) problems.push({ path: p, reason: "must be a port number 1..65535" });
  }
  if (problems.length > 0) {
    throw new Error(`invalid MimiClaw arguments:\n${problems.map((p) => `  - ${p.path}: ${p.reason}`).join("\n")}`);
  }
}

/** How the firmware scripts are run: one Node process with tsx's loader, from the repository root. */
const script = (file: string, ...args: string[]) => ["node", "--import", "tsx", file, ...args].join(" ");

/**
 * One MimiClaw device: its firmware built and flashed, its settings
 * provisioned over the serial console, and the broker + bridge that put it
 * on MQTT (`clawlab/devices/<id>/{inbox,outbox,errors,status}`).
 */
export class MimiClaw extends pulumi.ComponentResource {
  /** The device id. */
  public readonly deviceId: string;
  /** The device's MQTT topics. */
  public readonly topics: DeviceTopics;
  /** sha256 of each flashed image, from the build. */
  public readonly imageHashes: pulumi.Output<Record<ImageRole, string>>;
  /** Broker URL on the Docker network. */
  public readonly brokerUrl: pulumi.Output<string>;
  /** MQTT user for clients of this device (readwrite on its own topics only). */
  public readonly deviceUsername: string;
  /** That user's password (secret). */
  public readonly devicePassword: pulumi.Output<string>;
  /** The bridge's health URL: on the host when published, else on the Docker network. */
  public readonly healthUrl: pulumi.Output<string>;
  /** Container names. */
  public readonly brokerContainerName: pulumi.Output<string>;
  public readonly bridgeContainerName: pulumi.Output<string>;

  constructor(name: string, args: MimiClawArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawlab:firmware:MimiClaw", name, {}, opts);
    validateMimiClawArgs(args);
    const id = args.deviceId;
    const root = args.repoRoot ?? path.resolve(__dirname, "..");
    const workDir = args.workDir ?? path.join(process.env.HOME ?? "/root", ".cache", "clawlab", "mimiclaw");
    const version = pulumi.output(args.firmwareVersion ?? UPSTREAM.version);
    const outDir = pulumi.interpolate`${workDir}/images/${id}-${version}`;
    const consolePort = args.consolePort ?? args.serialPort;
    this.deviceId = id;
    this.topics = deviceTopics(id);
    this.deviceUsername = deviceUser(id);

    // ---- firmware: build → flash → provision --------------------------------
    const buildEnv = {
      MIMICLAW_VERSION: version,
      MIMICLAW_IDF_IMAGE: pulumi.output(args.idfImage ?? UPSTREAM.idfImage),
      MIMICLAW_WORK_DIR: workDir,
      MIMICLAW_OUT_DIR: outDir,
      ...(args.firmwareCommit !== undefined ? { MIMICLAW_SOURCE_COMMIT: pulumi.output(args.firmwareCommit) } : {}),
    };
    const build = new command.local.Command(
      `${name}-build`,
      {
        dir: root,
        create: script("firmware/mimiclaw/build.ts"),
        update: script("firmware/mimiclaw/build.ts"),
        delete: `rm -rf "$MIMICLAW_OUT_DIR"`,
        environment: buildEnv,
        // Rebuild only for another source or toolchain; stdout is the image manifest.
        triggers: [version, buildEnv.MIMICLAW_IDF_IMAGE, args.firmwareCommit ?? ""],
      },
      { parent: this },
    );
    this.imageHashes = build.stdout.apply((out) => {
      const manifest = JSON.parse(out) as { images: Record<ImageRole, { sha256: string }> };
      return Object.fromEntries(FLASH_LAYOUT.map((s) => [s.role, manifest.images[s.role].sha256])) as Record<ImageRole, string>;
    });
    const hashesJson = this.imageHashes.apply((h) => JSON.stringify(h));

    const flash = new command.local.Command(
      `${name}-flash`,
      {
        dir: root,
        create: script("firmware/mimiclaw/flash.ts"),
        update: script("firmware/mimiclaw/flash.ts"),
        delete: `echo "flash: nothing to undo, the device keeps its firmware" >&2`,
        environment: {
          MIMICLAW_SERIAL_PORT: args.serialPort,
          MIMICLAW_FLASH_BAUD: pulumi.output(args.flashBaud ?? 460800).apply(String),
          MIMICLAW_IMAGES_DIR: outDir,
          MIMICLAW_EXPECT_SHA256: hashesJson,
        },
        // Flash again only when an image or the port changes.
        triggers: [hashesJson, args.serialPort],
      },
      {
        parent: this,
        dependsOn: [build],
        deleteBeforeReplace: true,
        // A different baud alone is not a reason to re-flash.
        ignoreChanges: ["environment.MIMICLAW_FLASH_BAUD"],
      },
    );

    const provisionEnv: Record<string, pulumi.Input<string>> = {
      MIMICLAW_SERIAL_PORT: consolePort,
      MIMICLAW_SERIAL_BAUD: pulumi.output(args.baud ?? 115200).apply(String),
      MIMICLAW_WIFI_SSID: args.wifiSsid,
      MIMICLAW_WIFI_PASSWORD: pulumi.secret(args.wifiPassword),
      MIMICLAW_PROVIDER: args.provider,
      MIMICLAW_MODEL: args.model,
      MIMICLAW_API_KEY: pulumi.secret(args.apiKey),
    };
    if (args.telegramToken !== undefined) provisionEnv.MIMICLAW_TG_TOKEN = pulumi.secret(args.telegramToken);
    if (args.proxy) provisionEnv.MIMICLAW_PROXY = pulumi.interpolate`${args.proxy.type ?? "http"}://${args.proxy.host}:${args.proxy.port}`;
    new command.local.Command(
      `${name}-provision`,
      {
        dir: root,
        // Any provisioned value changing is an input change: the update runs provisioning again.
        create: script("firmware/mimiclaw/provision.ts"),
        update: script("firmware/mimiclaw/provision.ts"),
        // Wipes WiFi password, API key and token from the device (a warning if it is not attached).
        delete: script("firmware/mimiclaw/provision.ts", "--reset"),
        environment: provisionEnv,
        // Another device (port or id): wipe the old one, provision the new one.
        triggers: [consolePort, id],
      },
      { parent: this, dependsOn: [flash], deleteBeforeReplace: true },
    );

    // ---- broker -------------------------------------------------------------
    // RandomPassword marks `result` secret itself; saying so here keeps it secret whatever the provider does.
    const devicePassword = pulumi.secret(new random.RandomPassword(`${name}-device-password`, { length: 32, special: false }, { parent: this }).result);
    const bridgePassword = pulumi.secret(new random.RandomPassword(`${name}-bridge-password`, { length: 32, special: false }, { parent: this }).result);
    this.devicePassword = devicePassword;
    const passwordFile = pulumi
      .all([devicePassword, bridgePassword])
      .apply(([devicePw, bridgePw]) => renderPasswordFile([{ id, devicePassword: devicePw, bridgePassword: bridgePw }]));

    const brokerName = `clawlab-mimiclaw-${id}-broker`;
    const bridgeName = `clawlab-mimiclaw-${id}-bridge`;
    const labels = [
      { label: "org.clawlab.component", value: "mimiclaw" },
      { label: "org.clawlab.device", value: id },
    ];
    const brokerImage = new docker.RemoteImage(`${name}-broker-image`, { name: MOSQUITTO_IMAGE, keepLocally: true }, { parent: this, provider: args.dockerProvider });
    const brokerData = new docker.Volume(
      `${name}-broker-data`,
      { name: `${brokerName}-data`, labels },
      // Queued QoS 1 messages and sessions outlive the container.
      { parent: this, provider: args.dockerProvider, retainOnDelete: true },
    );
    const configFile = (file: string, content: pulumi.Input<string>) => ({ file, content, owner: MOSQUITTO_UID, group: MOSQUITTO_UID, permissions: "0600" });
    const broker = new docker.Container(
      `${name}-broker`,
      {
        name: brokerName,
        image: brokerImage.imageId,
        restart: "unless-stopped",
        ...hardened(MOSQUITTO_UID),
        // The listener accepts a TCP connection (busybox nc); an MQTT probe would need credentials.
        healthcheck: { tests: ["CMD", "nc", "-z", "127.0.0.1", "1883"], interval: "10s", timeout: "3s", retries: 3, startPeriod: "5s" },
        labels,
        networksAdvanced: [{ name: args.network }],
        volumes: [{ volumeName: brokerData.name, containerPath: "/mosquitto/data" }],
        ports: args.brokerHostPort ? [{ internal: 1883, external: args.brokerHostPort }] : [],
        uploads: [
          configFile(
            "/mosquitto/config/mosquitto.conf",
            renderMosquittoConf(1883, { passwordFile: "/mosquitto/config/passwd", aclFile: "/mosquitto/config/acl", persistenceDir: "/mosquitto/data" }),
          ),
          configFile("/mosquitto/config/passwd", passwordFile),
          configFile("/mosquitto/config/acl", renderAclFile([id])),
        ],
      },
      { parent: this, provider: args.dockerProvider },
    );
    this.brokerContainerName = broker.name;
    this.brokerUrl = pulumi.interpolate`mqtt://${broker.name}:1883`;

    // ---- bridge -------------------------------------------------------------
    const bridgeImage = new docker.RemoteImage(`${name}-bridge-image`, { name: args.bridgeImage, keepLocally: true }, { parent: this, provider: args.dockerProvider });
    const bridge = new docker.Container(
      `${name}-bridge`,
      {
        name: bridgeName,
        image: bridgeImage.imageId,
        restart: "unless-stopped",
        ...hardened(BRIDGE_UID),
        // The image's HEALTHCHECK (firmware/bridge/Dockerfile), restated: a plan shows only the container's.
        healthcheck: {
          tests: ["CMD", "node", "-e", `fetch('http://127.0.0.1:${BRIDGE_HTTP_PORT}/health').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))`],
          interval: "15s",
          timeout: "5s",
          retries: 3,
          startPeriod: "15s",
        },
        labels,
        networksAdvanced: [{ name: args.network }],
        envs: [
          `BRIDGE_DEVICE_ID=${id}`,
          pulumi.interpolate`BRIDGE_DEVICE_URL=ws://${args.deviceAddress}/`,
          pulumi.interpolate`BRIDGE_MQTT_URL=mqtt://${broker.name}:1883`,
          `BRIDGE_MQTT_USERNAME=${bridgeUser(id)}`,
          `BRIDGE_MQTT_PASSWORD_FILE=${BRIDGE_PASSWORD_FILE}`,
          `BRIDGE_HTTP_PORT=${BRIDGE_HTTP_PORT}`,
        ],
        // The password travels as a file readable by the bridge user only, never in the environment.
        uploads: [{ file: BRIDGE_PASSWORD_FILE, content: bridgePassword, owner: BRIDGE_UID, group: BRIDGE_UID, permissions: "0400" }],
        ports: args.bridgeHostPort ? [{ internal: BRIDGE_HTTP_PORT, external: args.bridgeHostPort }] : [],
      },
      { parent: this, provider: args.dockerProvider, dependsOn: [broker] },
    );
    this.bridgeContainerName = bridge.name;
    this.healthUrl = args.bridgeHostPort
      ? pulumi.output(`http://localhost:${args.bridgeHostPort}/health`)
      : pulumi.interpolate`http://${bridge.name}:${BRIDGE_HTTP_PORT}/health`;

    this.registerOutputs({
      deviceId: this.deviceId,
      topics: this.topics,
      imageHashes: this.imageHashes,
      brokerUrl: this.brokerUrl,
      deviceUsername: this.deviceUsername,
      devicePassword: this.devicePassword,
      healthUrl: this.healthUrl,
      brokerContainerName: this.brokerContainerName,
      bridgeContainerName: this.bridgeContainerName,
    });
  }
}
