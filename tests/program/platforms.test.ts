/**
 * Build settings through the whole program under Pulumi's mocks: platforms (`clawlab:platforms`):
 * the host's platform by default, two platforms on every image (runtimes and the MimiClaw
 * bridge) pushed as one manifest list, the cache that goes with them, and bad values
 * refused by key before anything is registered.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { describe, expect, it, vi } from "vitest";
import { hostPlatform, parseStackSettings } from "../../components/config/stack";
import { EXAMPLE_SECRETS, type Evaluation, evaluate, type Recorded, unwrap } from "./harness";

const ROOT = path.join(__dirname, "../..");
const EXAMPLE = path.join(ROOT, "clawlab.example.toml");
const BOTH = JSON.stringify(["linux/amd64", "linux/arm64"]);

/** The example fleet plus a MimiClaw device, so the bridge image is built too. */
const WITH_DEVICE = (() => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-platforms-")), "clawlab.toml");
  const device = `
[channels.bench-telegram]
type = "telegram"
bot_token = { secret = "benchTelegramBotToken" }
allowed_users = ["7"]

[devices.bench]
type = "mimiclaw"
firmware_version = "v0.1.0"
serial_port = "/dev/ttyUSB0"
wifi_ssid = { secret = "benchWifiSsid" }
wifi_password = { secret = "benchWifiPassword" }
provider = "claude"
model = "claude-sonnet-4-5"
channel = "bench-telegram"
address = "192.168.1.60:18789"
bridge_port = 18801
`;
  fs.writeFileSync(file, fs.readFileSync(EXAMPLE, "utf8") + device);
  return file;
})();
const SECRETS = {
  ...EXAMPLE_SECRETS,
  "clawlab:benchTelegramBotToken": "1:SECRET-bench-telegram",
  "clawlab:benchWifiSsid": "SECRET-bench-ssid",
  "clawlab:benchWifiPassword": "SECRET-bench-wifi",
};
const LOCAL = { "clawlab:configFile": WITH_DEVICE, "clawlab:localRegistry": "true" };
const GHCR = { "clawlab:configFile": WITH_DEVICE, "clawlab:registry": "ghcr.io/codervisor" };

function run(config: Record<string, string>, resources: Recorded[] = []): Promise<Evaluation> {
  vi.resetModules();
  return evaluate({ ...SECRETS, ...config }, Object.keys(SECRETS), () => import("../../index"), resources);
}

/** Every docker-build Image's inputs, by resource name. */
function images(result: Evaluation): Record<string, Record<string, any>> {
  const built = result.resources.filter((r) => r.type === "docker-build:index:Image");
  return Object.fromEntries(built.map((r) => [r.name, unwrap(r.inputs)]));
}

describe("the host's platform", () => {
  it("maps Node's process.arch to a Linux platform, and leaves any other to the builder", () => {
    expect(hostPlatform("x64")).toBe("linux/amd64");
    expect(hostPlatform("arm64")).toBe("linux/arm64");
    expect(hostPlatform("ppc64")).toBeUndefined();
    expect(hostPlatform()).toBe(hostPlatform(process.arch));
  });

  it("is the stack's default, and an explicit list wins", () => {
    const parse = (config: Record<string, string>, arch: string) => parseStackSettings(config, "clawlab", new Set(), arch);
    expect(parse({}, "arm64").platforms).toEqual(["linux/arm64"]);
    expect(parse({}, "x64").platforms).toEqual(["linux/amd64"]);
    expect(parse({}, "s390x").platforms).toBeUndefined();
    expect(parse({ "clawlab:platforms": '["linux/arm64"]' }, "x64").platforms).toEqual(["linux/arm64"]);
  });

  it("reaches every image, runtimes and bridge, when the stack says nothing", async () => {
    const built = images(await run(LOCAL));
    expect(Object.keys(built)).toContain("lab-bridge-image");
    expect(Object.keys(built)).toHaveLength(8); // seven runtimes and the bridge
    const host = hostPlatform();
    for (const [name, image] of Object.entries(built)) {
      expect(image.platforms, name).toEqual(host ? [host] : undefined);
      expect(image.cacheTo, name).toEqual([{ inline: {} }]); // one platform: the engine's builder
    }
  });
});

describe("two platforms", () => {
  it("build and push every image, runtimes and bridge, for both", async () => {
    const result = await run({ ...GHCR, "clawlab:platforms": BOTH });
    const built = images(result);
    expect(Object.keys(built)).toHaveLength(8);
    for (const [name, image] of Object.entries(built)) {
      expect(image.platforms, name).toEqual(["linux/amd64", "linux/arm64"]);
      expect(image.push, name).toBe(true);
      // The manifest list goes to the registry; nothing is loaded into an engine.
      expect(image.load, name).toBeUndefined();
      expect(image.exports, name).toBeUndefined();
    }
  });

  it("still run each runtime by the pushed digest (the list's, resolved per host)", async () => {
    const result = await run({ ...GHCR, "clawlab:platforms": BOTH });
    const pull = result.resources.find((r) => r.name === "lab-zeroclaw-pull")!;
    expect(unwrap(pull.inputs).name).toMatch(/^ghcr\.io\/codervisor\/zeroclaw:v0\.8\.4@sha256:[0-9a-f]{64}$/);
    expect(result.outputs.runtimes.zeroclaw.imageRef).toBe(unwrap(pull.inputs).name);
  });

  it("cache in the registry by default, also with the dev stack's local registry", async () => {
    for (const [config, repository] of [
      [GHCR, "ghcr.io/codervisor/zeroclaw"],
      [LOCAL, "localhost:5000/lab/zeroclaw"],
    ] as const) {
      const image = images(await run({ ...config, "clawlab:platforms": BOTH }))["lab-zeroclaw-image"]!;
      expect(image.cacheFrom).toEqual([{ registry: { ref: `${repository}:buildcache` } }]);
      expect(image.cacheTo).toEqual([{ registry: { ref: `${repository}:buildcache`, mode: "max", imageManifest: true, ociMediaTypes: true } }]);
    }
  });

  it("build without a cache when the stack says none", async () => {
    const image = images(await run({ ...LOCAL, "clawlab:platforms": BOTH, "clawlab:buildCache": "none" }))["lab-zeroclaw-image"]!;
    expect(image.cacheTo).toEqual([]);
  });

  it("keep inline for a single platform", async () => {
    const config = { ...GHCR, "clawlab:platforms": '["linux/arm64"]', "clawlab:buildCache": "inline" };
    const image = images(await run(config))["lab-zeroclaw-image"]!;
    expect(image.platforms).toEqual(["linux/arm64"]);
    expect(image.cacheTo).toEqual([{ inline: {} }]);
  });
});

describe("the shipped production stack", () => {
  it("states its hosts' platform, which reaches every image", async () => {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    expect(doc.config["clawlab:platforms"]).toEqual(["linux/amd64"]);
    const built = images(await run({ ...GHCR, "clawlab:platforms": JSON.stringify(doc.config["clawlab:platforms"]) }));
    for (const image of Object.values(built)) expect(image.platforms).toEqual(["linux/amd64"]);
  });
});

describe("a bad platforms setting deploys nothing and names the key", () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ["an unknown platform", { "clawlab:platforms": '["linux/amd64", "linux/riscv64"]' }, /clawlab:platforms\.1: must be linux\/amd64 or linux\/arm64/],
    ["a platform given twice", { "clawlab:platforms": '["linux/arm64", "linux/arm64"]' }, /clawlab:platforms: lists a platform twice/],
    ["an empty list", { "clawlab:platforms": "[]" }, /clawlab:platforms: must list at least one platform/],
    ["a bare string", { "clawlab:platforms": "linux/amd64" }, /clawlab:platforms: must be valid JSON/],
    [
      "an inline cache for two platforms",
      { "clawlab:platforms": BOTH, "clawlab:buildCache": "inline" },
      /clawlab:buildCache: "inline" cannot cache a multi-platform build \(clawlab:platforms lists linux\/amd64, linux\/arm64\); use "registry" or "none"/,
    ],
  ];
  it.each(cases)("%s", async (_, config, message) => {
    const resources: Recorded[] = [];
    await expect(run({ ...LOCAL, ...config }, resources)).rejects.toThrow(message);
    expect(resources).toEqual([]);
  });
});

describe("build args from the stack (base and toolchain images from a mirror)", () => {
  it("reach every runtime image beside the program's own VERSION and REVISION, and not the bridge", async () => {
    const args = { BASE_IMAGE: "mirror.example/debian:bookworm-slim", GO_IMAGE: "mirror.example/golang:1.25-bookworm" };
    const built = images(await run({ ...LOCAL, "clawlab:buildArgs": JSON.stringify(args) }));
    const runtimeImages = Object.entries(built).filter(([name]) => !name.includes("bridge"));
    expect(runtimeImages.length).toBeGreaterThan(0);
    for (const [name, image] of runtimeImages) {
      expect(image.buildArgs, name).toMatchObject(args);
      expect(Object.keys(image.buildArgs).sort(), name).toEqual(["BASE_IMAGE", "GO_IMAGE", "REVISION", "VERSION"]);
    }
    // The bridge's BASE_IMAGE is a Node image: the runtimes' base would break it.
    expect(built["lab-bridge-image"]!.buildArgs).toEqual({ VERSION: expect.any(String) });
  });

  it.each([
    ["a program-owned arg", '{"VERSION": "v9"}', /clawlab:buildArgs: must not set VERSION, REVISION, SOURCE, ARTIFACT_STAGE/],
    ["a lower-case name", '{"base_image": "x"}', /clawlab:buildArgs\.base_image: must be a build arg name in upper case/],
    ["an empty value", '{"BASE_IMAGE": ""}', /clawlab:buildArgs\.BASE_IMAGE: must not be empty/],
  ])("refuses %s by key, deploying nothing", async (_, value, message) => {
    const resources: Recorded[] = [];
    await expect(run({ ...LOCAL, "clawlab:buildArgs": value }, resources)).rejects.toThrow(message);
    expect(resources).toEqual([]);
  });
});
