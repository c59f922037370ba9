/**
 * The whole program (`index.ts`) under Pulumi's mocks with the example config: what it
 * would ask the engine to create, per runtime, and that secrets stay secret.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "smol-toml";
import YAML from "yaml";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { PINNED_IMAGES } from "../../components/pinned-images";
import { seconds } from "../../components/container-settings";
import { dockerSocketGroups } from "../../components/fleet";
import { declarations } from "../../runtimes";
import { IMAGE_HEALTH_COMMAND } from "../../runtimes/image";
import { EXAMPLE_SECRETS, type Evaluation, evaluate, generatedMarkers, isSecretValue, plainStrings, type Recorded, unwrap } from "./harness";

const ROOT = path.join(__dirname, "../..");
const EXAMPLE = path.join(ROOT, "clawlab.example.toml");

async function run(
  config: Record<string, string>,
  secretKeys = Object.keys(EXAMPLE_SECRETS),
  resources: Recorded[] = [],
): Promise<Evaluation> {
  vi.resetModules();
  return evaluate(config, secretKeys, () => import("../../index"), resources);
}

/** Writes a variant of the example config to a temp file and returns its path. */
function variant(mutate: (doc: Record<string, any>) => void): string {
  const doc = parse(fs.readFileSync(EXAMPLE, "utf8")) as Record<string, any>;
  mutate(doc);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-")), "clawlab.toml");
  fs.writeFileSync(file, stringify(doc));
  return file;
}

const ofType = (resources: Recorded[], type: string) => resources.filter((r) => r.type === type);
/** The resource-name prefix of a runtime's ClawRuntime (IronClaw nests it in its own component). */
const prefix = (runtime: string) => (runtime === "ironclaw" ? "lab-ironclaw-runtime" : `lab-${runtime}`);
const named = (resources: Recorded[], name: string) => resources.find((r) => r.name === name);

describe("the dev stack with the example config", () => {
  let result: Evaluation;
  beforeAll(async () => {
    result = await run({ "clawlab:configFile": EXAMPLE, "clawlab:localRegistry": "true", ...EXAMPLE_SECRETS });
  });

  it("builds and pushes exactly one image per runtime, from its folder, at its pinned version", () => {
    const images = ofType(result.resources, "docker-build:index:Image");
    expect(images.map((i) => i.name).sort()).toEqual(declarations.map((d) => `${prefix(d.name)}-image`).sort());
    for (const decl of declarations) {
      const image = unwrap(named(result.resources, `${prefix(decl.name)}-image`)!.inputs);
      const repo = `localhost:5000/lab/${decl.name}`;
      expect(image.push).toBe(true);
      expect(image.tags).toEqual([`${repo}:${decl.defaultVersion}`, `${repo}:latest`]);
      expect(image.buildArgs).toEqual({ VERSION: decl.defaultVersion, REVISION: decl.defaultRevision ?? "" });
      expect(image.context.location).toBe(path.join(ROOT, "runtimes"));
      expect(image.dockerfile.location).toBe(path.join(ROOT, "runtimes", decl.name, "Dockerfile"));
      expect(image.cacheTo).toEqual([{ inline: {} }]);
      expect(image.registries).toEqual([]);
    }
  });

  it("runs one container per runtime, by the pushed image's digest", () => {
    const containers = ofType(result.resources, "docker:index/container:Container").filter((c) =>
      declarations.some((d) => c.name === `${prefix(d.name)}-container`),
    );
    expect(containers).toHaveLength(declarations.length);
    for (const decl of declarations) {
      const container = containers.find((c) => unwrap(c.inputs).name === `lab-${decl.name}`)!;
      const pull = ofType(result.resources, "docker:index/remoteImage:RemoteImage").find(
        (r) => r.name === container.name.replace(/-container$/, "-pull"),
      )!;
      const pulledName = unwrap(pull.inputs).name as string;
      expect(pulledName).toMatch(new RegExp(`^localhost:5000/lab/${decl.name}:${decl.defaultVersion.replace(/\./g, "\\.")}@sha256:[0-9a-f]{64}$`));
      expect(result.outputs.runtimes[decl.name].imageRef).toBe(pulledName);
      expect(unwrap(container.inputs).image).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(container.provider).toBe(pull.provider);
    }
  });

  it("health-gates, restarts, confines and limits every container", () => {
    for (const decl of declarations) {
      const container = ofType(result.resources, "docker:index/container:Container").find(
        (c) => unwrap(c.inputs).name === `lab-${decl.name}`,
      )!;
      const inputs = unwrap(container.inputs);
      expect(inputs.wait).toBe(true);
      expect(inputs.restart).toBe("unless-stopped");
      expect(inputs.hostname).toBe(`lab-${decl.name}`);
      expect(inputs.stopTimeout).toBe(30);
      expect(inputs.healthcheck.tests).toEqual(["CMD", IMAGE_HEALTH_COMMAND]);
      // As the provider reads durations back (Go's format), so a second plan shows no change.
      expect(inputs.healthcheck.startPeriod).toBe(seconds(decl.health.startPeriodSeconds));
      expect(inputs.user).toBe(`${decl.user.uid}:${decl.user.uid}`);
      expect(decl.user.uid).toBeGreaterThanOrEqual(1000);
      expect(inputs.capabilities).toEqual({ drops: ["ALL"] });
      expect(inputs.securityOpts).toEqual(["no-new-privileges:true"]);
      expect(inputs.readOnly).toBe(decl.readOnlyRootFilesystem);
      expect(inputs.memory).toBe(decl.memoryMiB);
      // No swap beyond the limit; unset, the provider reads back twice the memory: a diff on every plan.
      expect(inputs.memorySwap).toBe(decl.memoryMiB);
      expect(inputs.privileged).toBeUndefined();
      const volume = named(result.resources, container.name.replace(/-container$/, "-state"))!;
      expect(inputs.volumes).toEqual([{ volumeName: unwrap(volume.inputs).name, containerPath: decl.stateDir }]);
      expect(unwrap(volume.inputs).name).toBe(`lab-${decl.name}-state`);
    }
  });

  it("publishes each runtime's internal port on its configured host port", () => {
    const spec = parse(fs.readFileSync(EXAMPLE, "utf8")) as any;
    for (const decl of declarations) {
      const container = ofType(result.resources, "docker:index/container:Container").find(
        (c) => unwrap(c.inputs).name === `lab-${decl.name}`,
      )!;
      const port = spec.runtimes[decl.name].port;
      expect(unwrap(container.inputs).ports).toEqual([{ internal: decl.port, external: port, ip: "0.0.0.0", protocol: "tcp" }]);
      expect(result.outputs.runtimes[decl.name].url).toBe(`http://localhost:${port}`);
      expect(result.outputs.runtimes[decl.name].healthUrl).toBe(
        decl.health.kind === "http" ? `http://localhost:${port}${decl.health.path}` : undefined,
      );
    }
  });

  it("hands each container its translated environment, as one secret", () => {
    const env = (runtime: string) => {
      const container = ofType(result.resources, "docker:index/container:Container").find(
        (c) => unwrap(c.inputs).name === `lab-${runtime}`,
      )!;
      expect(isSecretValue(container.inputs.envs)).toBe(true);
      return Object.fromEntries((unwrap(container.inputs.envs) as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    };
    expect(env("zeroclaw")).toMatchObject({
      ZEROCLAW_providers__models__anthropic__claude__api_key: EXAMPLE_SECRETS["clawlab:anthropicApiKey"],
      ZEROCLAW_channels__telegram__team_telegram__bot_token: EXAMPLE_SECRETS["clawlab:telegramBotToken"],
      ZEROCLAW_peer_groups__team_telegram__external_peers: "123456789",
    });
    expect(env("zeroclaw").ZEROCLAW_gateway__paired_tokens).toBe(`zc_${result.outputs.tokens.zeroclaw.gatewayToken}`);
    expect(env("openclaw")).toMatchObject({ ANTHROPIC_API_KEY: EXAMPLE_SECRETS["clawlab:anthropicApiKey"], CLAW_TELEGRAM_DM_POLICY: "allowlist" });
    expect(env("picoclaw")).toMatchObject({ CLAW_API_KEY: EXAMPLE_SECRETS["clawlab:openaiApiKey"], CLAW_DISCORD_ALLOW_FROM: "998877665544332211" });
    expect(env("nanoclaw")).toMatchObject({
      DOCKER_HOST: "unix:///var/run/docker.sock",
      ONECLI_URL: "http://onecli.internal:10254",
      ONECLI_API_KEY: EXAMPLE_SECRETS["clawlab:onecliApiKey"],
    });
    expect(env("ironclaw").IRONCLAW_REBORN_POSTGRES_URL).toMatch(/^postgres:\/\/ironclaw:generated-\w+@lab-ironclaw-db:5432\/ironclaw/);
    // The sorted order makes the env list the same on every evaluation (no phantom diffs).
    const container = ofType(result.resources, "docker:index/container:Container").find((c) => unwrap(c.inputs).name === "lab-openclaw")!;
    const names = (unwrap(container.inputs.envs) as string[]).map((e) => e.split("=")[0]);
    expect(names).toEqual([...names].sort());
  });

  it("never puts a secret value in a plain resource input or output", async () => {
    const generated = ofType(result.resources, "random:index/randomPassword:RandomPassword").map((r) => r.name);
    // One seed for every client token; keys to stored data and the database password are their own.
    expect(generated.sort()).toEqual(["lab-ironclaw-db-password", "lab-ironclaw-runtime-secretMasterKey", "lab-token-seed"]);
    const secretValues = [...Object.values(EXAMPLE_SECRETS), ...generatedMarkers(result)];
    for (const resource of result.resources) {
      for (const { path: at, value } of plainStrings(resource.inputs)) {
        for (const secret of secretValues) {
          expect(value.includes(secret), `${resource.type} ${resource.name} ${at} holds a secret in plain text`).toBe(false);
        }
      }
    }
    expect(result.secretOutputs).toContain("tokens");
    expect(result.secretOutputs).not.toContain("runtimes");
    expect(JSON.stringify(result.outputs.runtimes)).not.toMatch(/SECRET|generated-/);
    expect(Object.keys(result.outputs.tokens.zeroclaw)).toEqual(["gatewayToken"]);
  });

  it("gives IronClaw a PostgreSQL sidecar on a private network, health-gated, with a generated password", () => {
    const db = ofType(result.resources, "docker:index/container:Container").find((c) => unwrap(c.inputs).name === "lab-ironclaw-db")!;
    const inputs = unwrap(db.inputs);
    const network = ofType(result.resources, "docker:index/network:Network")[0]!;
    expect(unwrap(network.inputs).name).toBe("lab-ironclaw");
    expect(inputs.networksAdvanced).toEqual([{ name: "lab-ironclaw", aliases: ["db"] }]);
    expect(inputs.ports).toBeUndefined();
    expect(inputs.wait).toBe(true);
    expect(inputs.healthcheck.tests).toEqual(["CMD", "pg_isready", "-U", "ironclaw", "-d", "ironclaw"]);
    expect(inputs.envs).toContain("POSTGRES_PASSWORD_FILE=/run/clawlab/postgres-password");
    expect(isSecretValue(db.inputs.uploads)).toBe(true);
    expect(unwrap(db.inputs.uploads)[0].file).toBe("/run/clawlab/postgres-password");
    const dbImage = ofType(result.resources, "docker:index/remoteImage:RemoteImage").find((r) => r.name === "lab-ironclaw-db-image")!;
    expect(unwrap(dbImage.inputs).name).toBe(PINNED_IMAGES.postgres);
    const ironclaw = ofType(result.resources, "docker:index/container:Container").find((c) => unwrap(c.inputs).name === "lab-ironclaw")!;
    expect(unwrap(ironclaw.inputs).networksAdvanced).toEqual([{ name: "lab-ironclaw" }]);
  });

  it("runs its own loopback registry instead of GHCR", () => {
    const registry = ofType(result.resources, "docker:index/container:Container").find((c) => unwrap(c.inputs).name === "lab-registry")!;
    expect(unwrap(registry.inputs).ports).toEqual([{ internal: 5000, external: 5000, ip: "127.0.0.1", protocol: "tcp" }]);
    const image = ofType(result.resources, "docker:index/remoteImage:RemoteImage").find((r) => r.name === "lab-registry-image")!;
    expect(unwrap(image.inputs).name).toBe(PINNED_IMAGES.registry);
    expect(result.outputs.registry).toBe("localhost:5000/lab");
  });

  it("creates one Docker provider for the one host", () => {
    const providers = ofType(result.resources, "pulumi:providers:docker");
    expect(providers.map((p) => unwrap(p.inputs).host)).toEqual(["unix:///var/run/docker.sock"]);
  });

  it("mounts the host's Docker socket only for NanoClaw, which opted in", () => {
    for (const container of ofType(result.resources, "docker:index/container:Container")) {
      const mounts = unwrap(container.inputs).mounts ?? [];
      const socket = mounts.filter((m: any) => m.source === "/var/run/docker.sock");
      expect(socket.length).toBe(unwrap(container.inputs).name === "lab-nanoclaw" ? 1 : 0);
    }
  });

  it("adds NanoClaw's user to the local socket's group, read from the socket (root:<group> 0660)", () => {
    const nanoclaw = ofType(result.resources, "docker:index/container:Container").find((c) => unwrap(c.inputs).name === "lab-nanoclaw")!;
    let gid: number | undefined;
    try {
      gid = fs.statSync("/var/run/docker.sock").gid;
    } catch {
      gid = undefined; // no engine on this machine: the program warns instead (tested below)
    }
    expect(unwrap(nanoclaw.inputs).groupAdds).toEqual(gid === undefined ? undefined : [String(gid)]);
    for (const container of ofType(result.resources, "docker:index/container:Container")) {
      if (container !== nanoclaw) expect(unwrap(container.inputs).groupAdds ?? []).toEqual([]);
    }
  });
});

describe("generated tokens", () => {
  it("rotate one runtime at a time with token_rotation, never a key to stored data", async () => {
    const before = await run({ "clawlab:configFile": EXAMPLE, ...EXAMPLE_SECRETS });
    const bumped = variant((doc) => {
      doc.runtimes.zeroclaw.token_rotation = 1;
      doc.runtimes.ironclaw.token_rotation = 1;
    });
    const after = await run({ "clawlab:configFile": bumped, ...EXAMPLE_SECRETS });
    const { zeroclaw, ironclaw, ...others } = before.outputs.tokens;
    expect(after.outputs.tokens.zeroclaw.gatewayToken).not.toBe(zeroclaw.gatewayToken);
    expect(after.outputs.tokens.ironclaw.webToken).not.toBe(ironclaw.webToken);
    expect(after.outputs.tokens.ironclaw.secretMasterKey).toBe(ironclaw.secretMasterKey);
    for (const [runtime, tokens] of Object.entries(others)) expect(after.outputs.tokens[runtime]).toEqual(tokens);
    // Derived tokens are letters and digits of the declared length (the master key is a mocked RandomPassword).
    for (const decl of declarations) {
      for (const secret of decl.generatedSecrets.filter((s) => !s.encryptsData)) {
        expect(after.outputs.tokens[decl.name][secret.name]).toMatch(new RegExp(`^[A-Za-z0-9]{${secret.length}}$`));
      }
    }
  });
});

describe("the Docker socket's group", () => {
  const nanoclawGroups = (result: Evaluation) =>
    unwrap(ofType(result.resources, "docker:index/container:Container").find((c) => unwrap(c.inputs).name === "lab-nanoclaw")!.inputs).groupAdds;

  it("comes from the host entry when the canonical file names it", async () => {
    const file = variant((doc) => (doc.hosts.local.docker_socket_gid = 4242));
    expect(nanoclawGroups(await run({ "clawlab:configFile": file, ...EXAMPLE_SECRETS }))).toEqual(["4242"]);
  });

  it("comes from a stack's host override, which replaces the file's entry", async () => {
    const file = variant((doc) => (doc.hosts.local.docker_socket_gid = 4242));
    const hosts = JSON.stringify({ local: { dockerHost: "ssh://deploy@fleet-9", dockerSocketGid: 977 } });
    expect(nanoclawGroups(await run({ "clawlab:configFile": file, "clawlab:hosts": hosts, ...EXAMPLE_SECRETS }))).toEqual(["977"]);
  });

  it("must be named for a remote host, before anything is registered", async () => {
    const hosts = JSON.stringify({ local: "ssh://deploy@fleet-9" });
    const resources: Recorded[] = [];
    await expect(run({ "clawlab:configFile": EXAMPLE, "clawlab:hosts": hosts, ...EXAMPLE_SECRETS }, Object.keys(EXAMPLE_SECRETS), resources)).rejects.toThrow(
      /hosts\.local\.docker_socket_gid: nanoclaw mounts the Docker socket of host "local", which is remote \(ssh:\/\/deploy@fleet-9\)/,
    );
    expect(resources.filter((r) => !r.type.startsWith("clawlab:"))).toEqual([]);
  });

  it("is warned about when the local socket can't be read", () => {
    const spec = { hosts: { local: { dockerHost: "unix:///var/run/docker.sock" } }, runtimes: [{ name: "nanoclaw", host: "local", dockerSocket: true }] } as any;
    const { gids, warnings } = dockerSocketGroups(spec, () => {
      throw Object.assign(new Error("no such file"), { code: "ENOENT" });
    });
    expect(gids.get("nanoclaw")).toBeUndefined();
    expect(warnings).toEqual([
      "nanoclaw: cannot read the group of /var/run/docker.sock (ENOENT); its user will not reach the socket: set hosts.local.docker_socket_gid",
    ]);
  });
});

describe("a production stack: GHCR with credentials, two hosts", () => {
  let result: Evaluation;
  beforeAll(async () => {
    const file = variant((doc) => {
      doc.hosts.edge = { docker_host: "ssh://deploy@edge.example.com" };
      doc.runtimes.picoclaw.host = "edge";
      doc.runtimes.nullclaw.enabled = false;
    });
    result = await run(
      { "clawlab:configFile": file, "clawlab:registryUsername": "codervisor-bot", "clawlab:registryPassword": "ghp_SECRET-registry-0009", ...EXAMPLE_SECRETS },
      [...Object.keys(EXAMPLE_SECRETS), "clawlab:registryPassword"],
    );
  });

  it("creates one provider per host, each with the registry credentials", () => {
    const providers = ofType(result.resources, "pulumi:providers:docker");
    expect(providers.map((p) => unwrap(p.inputs).host).sort()).toEqual(["ssh://deploy@edge.example.com", "unix:///var/run/docker.sock"]);
    for (const provider of providers) {
      // Provider inputs travel as JSON strings; this one as a secret.
      const auth = provider.inputs.registryAuth;
      expect(isSecretValue(auth)).toBe(true);
      expect(JSON.parse(unwrap(auth))).toEqual([{ address: "ghcr.io", username: "codervisor-bot", password: "ghp_SECRET-registry-0009" }]);
    }
  });

  it("places each runtime on its host's provider and URL", () => {
    const providerOf = (runtime: string) =>
      ofType(result.resources, "docker:index/container:Container").find((c) => unwrap(c.inputs).name === `lab-${runtime}`)!.provider!;
    expect(providerOf("picoclaw")).toContain("lab-host-edge");
    expect(providerOf("zeroclaw")).toContain("lab-host-local");
    expect(result.outputs.runtimes.picoclaw.url).toBe("http://edge.example.com:18790");
    expect(result.outputs.runtimes.nullclaw).toBeUndefined();
  });

  it("pushes to GHCR with the registry cache and the credentials kept secret", () => {
    const image = named(result.resources, "lab-zeroclaw-image")!;
    expect(unwrap(image.inputs).tags).toEqual(["ghcr.io/codervisor/zeroclaw:v0.8.4", "ghcr.io/codervisor/zeroclaw:latest"]);
    expect(unwrap(image.inputs).cacheTo[0].registry.ref).toBe("ghcr.io/codervisor/zeroclaw:buildcache");
    expect(unwrap(image.inputs).cacheFrom[0].registry.ref).toBe("ghcr.io/codervisor/zeroclaw:buildcache");
    for (const resource of result.resources) {
      for (const { value } of plainStrings(resource.inputs)) expect(value).not.toContain("ghp_SECRET");
    }
    expect(ofType(result.resources, "docker:index/container:Container").some((c) => unwrap(c.inputs).name === "lab-registry")).toBe(false);
  });
});

describe("a bad config deploys nothing and names the problem", () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ["a bad port", { "clawlab:configFile": variant((d) => (d.runtimes.picoclaw.port = 70000)) }, /runtimes\.picoclaw\.port: must be 1-65535/],
    ["an unknown key", { "clawlab:configFile": variant((d) => (d.runtimes.zeroclaw.modle = "x")) }, /runtimes\.zeroclaw\.modle: unknown key/],
    ["a missing secret", { "clawlab:configFile": EXAMPLE }, /providers\.claude\.api_key: Pulumi secret config "anthropicApiKey" is not set/],
    ["a missing config file", { "clawlab:configFile": "/nonexistent/clawlab.toml" }, /file not found/],
    ["a misspelt stack setting", { "clawlab:configFile": EXAMPLE, "clawlab:localRegistery": "true" }, /clawlab:localRegistery: unknown stack setting/],
    [
      "a loopback registry with a remote host",
      { "clawlab:configFile": variant((d) => (d.hosts.edge = { docker_host: "ssh://me@edge" })), "clawlab:localRegistry": "true" },
      /clawlab:localRegistry: a loopback registry cannot serve remote hosts \(edge\)/,
    ],
  ];
  it.each(cases)("%s", async (_, config, message) => {
    const secrets = _ === "a missing secret" ? {} : EXAMPLE_SECRETS;
    const resources: Recorded[] = [];
    await expect(run({ ...secrets, ...config }, Object.keys(secrets), resources)).rejects.toThrow(message);
    expect(resources).toEqual([]);
  });
});

describe("the shipped stack files", () => {
  /** A stack file's config as the engine hands it to the program (objects as JSON strings). */
  function stackConfig(file: string): Record<string, string> {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
    return Object.fromEntries(
      Object.entries(doc.config as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
  }

  it("Pulumi.dev.yaml deploys the quickstart fleet through the local registry, with no secret and no Docker socket", async () => {
    const result = await run(stackConfig("Pulumi.dev.yaml"), []);
    expect(result.outputs.registry).toBe("localhost:5000/quickstart");
    expect(Object.keys(result.outputs.runtimes).sort()).toEqual(["openclaw", "picoclaw"]);
    const containers = ofType(result.resources, "docker:index/container:Container").map((c) => unwrap(c.inputs));
    for (const c of containers) expect(c.mounts ?? [], c.name).toEqual([]);
    // The runtimes reach the Ollama beside the engine by the name Docker Desktop gives it.
    for (const name of ["quickstart-openclaw", "quickstart-picoclaw"]) {
      expect(containers.find((c) => c.name === name)!.hosts).toEqual([{ host: "host.docker.internal", ip: "host-gateway" }]);
    }
  });

  it("the example fleet maps no host name (none of its providers is on the engine's machine)", async () => {
    const result = await run({ "clawlab:configFile": EXAMPLE, "clawlab:localRegistry": "true", ...EXAMPLE_SECRETS });
    for (const c of ofType(result.resources, "docker:index/container:Container")) expect(unwrap(c.inputs).hosts, c.name).toBeUndefined();
  });

  it("Pulumi.prod.yaml pushes to GHCR and overrides the host", async () => {
    const result = await run(
      { ...stackConfig("Pulumi.prod.yaml"), "clawlab:registryPassword": "ghp_SECRET", ...EXAMPLE_SECRETS },
      [...Object.keys(EXAMPLE_SECRETS), "clawlab:registryPassword"],
    );
    expect(result.outputs.registry).toBe("ghcr.io/codervisor/fleet");
    expect(ofType(result.resources, "pulumi:providers:docker").map((p) => unwrap(p.inputs).host)).toEqual([
      "ssh://deploy@fleet-1.example.com",
    ]);
    expect(result.outputs.runtimes.zeroclaw.url).toBe("http://fleet-1.example.com:42617");
  });
});

describe("a fleet with a MimiClaw device", () => {
  let result: Evaluation;
  beforeAll(async () => {
    const file = variant((doc) => {
      for (const runtime of Object.keys(doc.runtimes)) if (runtime !== "zeroclaw") doc.runtimes[runtime].enabled = false;
      doc.channels["desk-telegram"] = { type: "telegram", bot_token: { secret: "deskTelegramBotToken" }, allowed_users: ["42"] };
      doc.devices = {
        desk: {
          type: "mimiclaw",
          firmware_version: "v0.1.0",
          serial_port: "/dev/ttyACM0",
          wifi_ssid: { secret: "wifiSsid" },
          wifi_password: { secret: "wifiPassword" },
          provider: "claude",
          model: "claude-sonnet-4-5",
          channel: "desk-telegram",
          address: "192.168.1.50:18789",
          bridge_port: 18800,
        },
      };
    });
    const secrets = { ...EXAMPLE_SECRETS, "clawlab:deskTelegramBotToken": "789:SECRET-desk-0010", "clawlab:wifiSsid": "SECRET-ssid-0011", "clawlab:wifiPassword": "SECRET-wifi-0012" };
    result = await run({ "clawlab:configFile": file, "clawlab:localRegistry": "true", ...secrets }, Object.keys(secrets));
  });

  it("builds the bridge image once, pushes it, and deploys broker and bridge for the device", () => {
    const images = ofType(result.resources, "docker-build:index:Image").filter((i) => i.name === "lab-bridge-image");
    expect(images).toHaveLength(1);
    expect(unwrap(images[0]!.inputs).tags).toEqual(["localhost:5000/lab/clawlab-bridge:0.1.0", "localhost:5000/lab/clawlab-bridge:latest"]);
    expect(unwrap(images[0]!.inputs).dockerfile.location).toBe(path.join(ROOT, "firmware/bridge/Dockerfile"));
    expect(ofType(result.resources, "clawlab:firmware:MimiClaw").map((r) => r.name)).toEqual(["lab-desk"]);
    expect(result.outputs.devices.desk.healthUrl).toBe("http://localhost:18800/health");
    expect(result.outputs.devices.desk.topics.inbox).toBe("clawlab/devices/desk/inbox");
  });

  it("keeps the WiFi and API secrets out of every plain input", () => {
    const commands = ofType(result.resources, "command:local:Command");
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const resource of result.resources) {
      for (const { path: at, value } of plainStrings(resource.inputs)) {
        for (const secret of ["SECRET-ssid", "SECRET-wifi", "SECRET-desk", "SECRET-anthropic"]) {
          expect(value.includes(secret), `${resource.type} ${resource.name} ${at}`).toBe(false);
        }
      }
    }
  });
});
