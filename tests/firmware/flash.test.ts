import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FlashRefused, type ImageFile, flashPlan } from "../../firmware/mimiclaw/flash";
import { FLASH_LAYOUT, UPSTREAM_PARTITIONS, encodePartitionTable, parsePartitionTable } from "../../firmware/mimiclaw/layout";

const ROOT = path.resolve(__dirname, "../..");
const images = (sizes: Partial<Record<string, number | undefined>> = {}): Record<string, ImageFile> => ({
  bootloader: { path: "/img/bootloader.bin", size: "bootloader" in sizes ? sizes.bootloader : 21_000 },
  partitionTable: { path: "/img/partition-table.bin", size: "partitionTable" in sizes ? sizes.partitionTable : 3072 },
  otaData: { path: "/img/ota_data_initial.bin", size: "otaData" in sizes ? sizes.otaData : 8192 },
  app: { path: "/img/mimiclaw.bin", size: "app" in sizes ? sizes.app : 1_500_000 },
});

describe("flashPlan", () => {
  it("writes the four images at upstream's offsets, then verifies them", () => {
    const plan = flashPlan({ esptool: ["esptool.py"], port: "/dev/ttyACM0", baud: 460800, images: images() as never });
    const pairs = ["0x0", "/img/bootloader.bin", "0x8000", "/img/partition-table.bin", "0xf000", "/img/ota_data_initial.bin", "0x20000", "/img/mimiclaw.bin"];
    expect(plan.write).toEqual(["esptool.py", "--chip", "esp32s3", "--port", "/dev/ttyACM0", "--baud", "460800", "--before", "default_reset", "--after", "no_reset", "write_flash", ...pairs]);
    expect(plan.verify).toEqual(["esptool.py", "--chip", "esp32s3", "--port", "/dev/ttyACM0", "--baud", "460800", "--before", "default_reset", "--after", "hard_reset", "verify_flash", ...pairs]);
  });

  it("refuses a missing image, naming it", () => {
    expect(() => flashPlan({ esptool: ["esptool"], port: "/dev/x", baud: 115200, images: images({ otaData: undefined }) as never })).toThrow(
      /otaData image is missing \(\/img\/ota_data_initial.bin\)/,
    );
  });

  it("refuses an image larger than its region, and lists every problem", () => {
    let err: unknown;
    try {
      flashPlan({ esptool: ["esptool"], port: "/dev/x", baud: 115200, images: images({ app: 0x200001, bootloader: 0x8001 }) as never });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FlashRefused);
    expect((err as FlashRefused).problems).toEqual([
      "bootloader image /img/bootloader.bin is 32769 bytes, larger than its 32768-byte region at 0x0",
      "app image /img/mimiclaw.bin is 2097153 bytes, larger than its 2097152-byte region at 0x20000",
    ]);
  });

  it("takes the app limit from the partition table when given", () => {
    const table = encodePartitionTable(UPSTREAM_PARTITIONS.map((p) => (p.label === "ota_0" ? { ...p, size: 0x100000 } : p)));
    expect(() => flashPlan({ esptool: ["esptool"], port: "/dev/x", baud: 1, images: images({ app: 0x100001 }) as never, partitionTable: table })).toThrow(
      /larger than its 1048576-byte region/,
    );
  });

  it("refuses a partition table that puts the app elsewhere", () => {
    const table = encodePartitionTable(UPSTREAM_PARTITIONS.map((p) => (p.label === "ota_0" ? { ...p, offset: 0x10000 } : p)));
    expect(() => flashPlan({ esptool: ["esptool"], port: "/dev/x", baud: 1, images: images() as never, partitionTable: table })).toThrow(
      /puts the first app partition \(ota_0\) at 0x10000/,
    );
  });

  it("parses upstream's partition table back", () => {
    expect(parsePartitionTable(encodePartitionTable(UPSTREAM_PARTITIONS))).toEqual(UPSTREAM_PARTITIONS);
  });
});

describe("flash.ts", () => {
  /** A fake esptool that records its arguments, one run per line. */
  function setup() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flash-"));
    const imgDir = path.join(dir, "images");
    fs.mkdirSync(imgDir);
    for (const slot of FLASH_LAYOUT) {
      const data = slot.role === "partitionTable" ? encodePartitionTable(UPSTREAM_PARTITIONS) : crypto.randomBytes(1000);
      fs.writeFileSync(path.join(imgDir, slot.file), data);
    }
    const record = path.join(dir, "calls");
    const fake = path.join(dir, "esptool.py");
    fs.writeFileSync(fake, `#!/bin/sh\necho "$*" >> ${record}\n`, { mode: 0o755 });
    return { dir, imgDir, record, fake };
  }
  const run = (env: Record<string, string>) =>
    spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "firmware/mimiclaw/flash.ts")], {
      env: { PATH: process.env.PATH!, ...env },
      encoding: "utf8",
    });

  it("runs write_flash then verify_flash with the built images", () => {
    const s = setup();
    const r = run({ MIMICLAW_SERIAL_PORT: "/dev/ttyACM7", MIMICLAW_IMAGES_DIR: s.imgDir, MIMICLAW_ESPTOOL: s.fake });
    expect(r.stderr).toMatch(/written and verified/);
    expect(r.status).toBe(0);
    const calls = fs.readFileSync(s.record, "utf8").trim().split("\n");
    expect(calls).toHaveLength(2);
    expect(calls[0]).toBe(
      `--chip esp32s3 --port /dev/ttyACM7 --baud 460800 --before default_reset --after no_reset write_flash 0x0 ${s.imgDir}/bootloader.bin 0x8000 ${s.imgDir}/partition-table.bin 0xf000 ${s.imgDir}/ota_data_initial.bin 0x20000 ${s.imgDir}/mimiclaw.bin`,
    );
    expect(calls[1]).toContain("--after hard_reset verify_flash 0x0");
  });

  it("refuses images that are not the ones the build reported", () => {
    const s = setup();
    const r = run({
      MIMICLAW_SERIAL_PORT: "/dev/ttyACM7",
      MIMICLAW_IMAGES_DIR: s.imgDir,
      MIMICLAW_ESPTOOL: s.fake,
      MIMICLAW_EXPECT_SHA256: JSON.stringify({ app: "0".repeat(64) }),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/app image .* does not have the expected sha256/);
    expect(fs.existsSync(s.record)).toBe(false);
  });

  it("refuses a missing image before running esptool", () => {
    const s = setup();
    fs.rmSync(path.join(s.imgDir, "mimiclaw.bin"));
    const r = run({ MIMICLAW_SERIAL_PORT: "/dev/ttyACM7", MIMICLAW_IMAGES_DIR: s.imgDir, MIMICLAW_ESPTOOL: s.fake });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/app image is missing/);
    expect(fs.existsSync(s.record)).toBe(false);
  });
});
