import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type BuildManifest, buildCommands, checkSource } from "../../firmware/mimiclaw/build";

const ROOT = path.resolve(__dirname, "../..");
const PARTITIONS = `# Name, Type, SubType, Offset, Size
nvs,      data, nvs,     0x9000,   0x6000
otadata,  data, ota,     0xF000,   0x2000
phy_init, data, phy,     0x11000,  0x1000
ota_0,    app,  ota_0,   0x20000,  0x200000
ota_1,    app,  ota_1,   0x220000, 0x200000
spiffs,   data, spiffs,  0x420000, 0xBD0000
`;
const CLI = ["set_wifi", "set_api_key", "set_model", "set_model_provider", "set_tg_token", "set_proxy", "clear_proxy", "config_show", "restart"]
  .map((c) => `    .command = "${c}",`)
  .join("\n");

/** A checkout that looks like upstream (no firmware code: the fake idf.py makes the images). */
function fakeSource(opts: { cli?: string; partitions?: string } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mimiclaw-src-"));
  fs.mkdirSync(path.join(dir, "main/cli"), { recursive: true });
  fs.writeFileSync(path.join(dir, "partitions.csv"), opts.partitions ?? PARTITIONS);
  fs.writeFileSync(path.join(dir, "main/cli/serial_cli.c"), opts.cli ?? CLI);
  return dir;
}

describe("build plan", () => {
  it("runs idf.py set-target and build locally", () => {
    expect(buildCommands({ idfImage: "unused" }, "local", "/src")).toEqual([
      { argv: ["idf.py", "set-target", "esp32s3"], cwd: "/src" },
      { argv: ["idf.py", "build"], cwd: "/src" },
    ]);
  });

  it("runs the same in the pinned ESP-IDF image as the calling user", () => {
    const img = "espressif/idf:v5.5.2@sha256:05cbfc42ed2e987b8026722c15bf1d8523d3e4fd1b4ac04d2e4056f5e0918b99";
    const steps = buildCommands({ idfImage: img }, "docker", "/src", { uid: 1000, gid: 1001 });
    expect(steps[1]!.argv).toEqual(["docker", "run", "--rm", "-v", "/src:/project", "-w", "/project", "-e", "HOME=/tmp", "-u", "1000:1001", img, "idf.py", "build"]);
  });

  it("accepts an upstream-shaped checkout", () => {
    expect(checkSource(fakeSource())).toEqual([]);
  });

  it("refuses a checkout whose console cannot be provisioned or whose layout moved", () => {
    const dir = fakeSource({ cli: '    .command = "set_wifi",', partitions: PARTITIONS.replace("0x20000,  0x200000", "0x10000,  0x200000") });
    const problems = checkSource(dir);
    expect(problems).toContain("partitions.csv puts ota_0 at 0x10000, expected 0x20000");
    expect(problems).toContain("the serial console does not register clear_proxy");
    expect(problems).toHaveLength(9);
  });
});

describe("build.ts", () => {
  it("builds with a local idf.py and prints the images' sha256 as JSON", () => {
    const src = fakeSource();
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-idf-"));
    const calls = path.join(bin, "calls");
    // Stands in for ESP-IDF: records its arguments and writes images where idf.py would.
    fs.writeFileSync(
      path.join(bin, "idf.py"),
      `#!/bin/sh
echo "$*" >> ${calls}
if [ "$1" = build ]; then
  mkdir -p build/bootloader build/partition_table
  head -c 20000 /dev/urandom > build/bootloader/bootloader.bin
  head -c 3072 /dev/urandom > build/partition_table/partition-table.bin
  head -c 8192 /dev/urandom > build/ota_data_initial.bin
  head -c 900000 /dev/urandom > build/mimiclaw.bin
fi
`,
      { mode: 0o755 },
    );
    const out = path.join(bin, "out");
    const r = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "firmware/mimiclaw/build.ts")], {
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: bin, MIMICLAW_SOURCE_DIR: src, MIMICLAW_BUILDER: "local", MIMICLAW_OUT_DIR: out },
      encoding: "utf8",
    });
    expect(r.stderr).not.toMatch(/build: refusing/);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(calls, "utf8")).toBe("set-target esp32s3\nbuild\n");
    const manifest = JSON.parse(r.stdout) as BuildManifest;
    expect(manifest.builder).toBe("local");
    expect(Object.keys(manifest.images)).toEqual(["bootloader", "partitionTable", "otaData", "app"]);
    const appHash = crypto.createHash("sha256").update(fs.readFileSync(path.join(src, "build/mimiclaw.bin"))).digest("hex");
    expect(manifest.images.app).toEqual({ file: "mimiclaw.bin", sha256: appHash, size: 900000 });
    expect(JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8"))).toEqual(manifest);
  }, 30_000);

  it("refuses to build a checkout at another commit than pinned", () => {
    const src = fakeSource();
    spawnSync("git", ["init", "-q"], { cwd: src });
    spawnSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "x"], { cwd: src });
    const r = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "firmware/mimiclaw/build.ts")], {
      env: { PATH: process.env.PATH!, HOME: src, MIMICLAW_SOURCE_DIR: src, MIMICLAW_SOURCE_COMMIT: "a".repeat(40), MIMICLAW_BUILDER: "local" },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/MIMICLAW_SOURCE_COMMIT expects a{40}/);
  }, 30_000);
});
