/**
 * Flashes the MimiClaw images with esptool, then reads them back (verify_flash).
 *
 *   MIMICLAW_SERIAL_PORT=/dev/ttyACM0 MIMICLAW_IMAGES_DIR=... npx tsx firmware/mimiclaw/flash.ts
 *
 * The esptool argument arrays are built by {@link flashPlan} (pure), which
 * refuses a missing image, an image larger than its region, or a partition
 * table that does not match the layout.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { EnvReader, runMain } from "./env";
import { FLASH_LAYOUT, type ImageRole, UPSTREAM, checkTableAgainstLayout, parsePartitionTable } from "./layout";

/** What is known about one image file. */
export interface ImageFile {
  path: string;
  /** undefined when the file does not exist. */
  size: number | undefined;
}

export interface FlashOptions {
  /** The esptool command, e.g. ["esptool.py"] or ["python3", "-m", "esptool"]. */
  esptool: readonly string[];
  port: string;
  baud: number;
  images: Record<ImageRole, ImageFile>;
  /** The partition table's bytes, when available: its sizes refine the limits. */
  partitionTable?: Buffer;
}

export interface FlashPlan {
  /** esptool write_flash: the four images at their offsets, no reset afterwards. */
  write: string[];
  /** esptool verify_flash: reads every region back and compares, then resets the chip. */
  verify: string[];
}

export class FlashRefused extends Error {
  constructor(readonly problems: string[]) {
    super(`refusing to flash:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** Builds the esptool argument arrays, or throws FlashRefused listing every problem. */
export function flashPlan(o: FlashOptions): FlashPlan {
  const problems: string[] = [];
  let limits: Partial<Record<ImageRole, number>> = {};
  if (o.partitionTable) {
    try {
      const checked = checkTableAgainstLayout(parsePartitionTable(o.partitionTable));
      problems.push(...checked.problems);
      limits = checked.maxSize;
    } catch (e) {
      problems.push(`partition table image cannot be parsed: ${(e as Error).message}`);
    }
  }
  const pairs: string[] = [];
  for (const slot of FLASH_LAYOUT) {
    const img = o.images[slot.role];
    const max = limits[slot.role] ?? slot.maxSize;
    if (!img || img.size === undefined) problems.push(`${slot.role} image is missing (${img?.path ?? slot.file})`);
    else if (img.size === 0) problems.push(`${slot.role} image ${img.path} is empty`);
    else if (img.size > max) {
      problems.push(`${slot.role} image ${img.path} is ${img.size} bytes, larger than its ${max}-byte region at ${hex(slot.offset)}`);
    }
    pairs.push(hex(slot.offset), img?.path ?? slot.file);
  }
  if (!/^\S+$/.test(o.port)) problems.push(`serial port "${o.port}" is not a device path`);
  if (!Number.isInteger(o.baud) || o.baud <= 0) problems.push(`baud ${o.baud} is not a positive integer`);
  if (problems.length > 0) throw new FlashRefused(problems);
  const common = [...o.esptool, "--chip", UPSTREAM.target, "--port", o.port, "--baud", String(o.baud)];
  return {
    write: [...common, "--before", "default_reset", "--after", "no_reset", "write_flash", ...pairs],
    verify: [...common, "--before", "default_reset", "--after", "hard_reset", "verify_flash", ...pairs],
  };
}

/** Looks at the images in a directory written by build.ts. */
export function imagesIn(dir: string): Record<ImageRole, ImageFile> {
  const out = {} as Record<ImageRole, ImageFile>;
  for (const slot of FLASH_LAYOUT) {
    const p = path.join(dir, slot.file);
    out[slot.role] = { path: p, size: fs.existsSync(p) ? fs.statSync(p).size : undefined };
  }
  return out;
}

export function sha256File(p: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");
}

/** Finds esptool on PATH when MIMICLAW_ESPTOOL is not set. */
function findEsptool(): string[] | undefined {
  for (const name of ["esptool.py", "esptool"]) {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return [r.stdout.trim()];
  }
  return undefined;
}

async function main(): Promise<void> {
  const r = new EnvReader();
  const port = r.required("MIMICLAW_SERIAL_PORT", "the device's USB port, e.g. /dev/ttyACM0");
  const baud = r.int("MIMICLAW_FLASH_BAUD", 460800, 9600, 4000000);
  const dir = r.required("MIMICLAW_IMAGES_DIR", "the directory build.ts wrote (holds bootloader.bin, partition-table.bin, ota_data_initial.bin, mimiclaw.bin)");
  const expectRaw = r.optional("MIMICLAW_EXPECT_SHA256");
  const esptoolRaw = r.optional("MIMICLAW_ESPTOOL");
  let expect: Partial<Record<ImageRole, string>> | undefined;
  if (expectRaw !== undefined) {
    try {
      expect = JSON.parse(expectRaw) as Partial<Record<ImageRole, string>>;
    } catch {
      r.problems.push("MIMICLAW_EXPECT_SHA256 is not JSON (expected {\"bootloader\":\"<sha256>\",...})");
    }
  }
  const esptool = esptoolRaw !== undefined ? [esptoolRaw] : findEsptool();
  if (!esptool) r.problems.push("MIMICLAW_ESPTOOL is not set and neither esptool.py nor esptool is on PATH (pip install esptool)");
  r.done();

  const images = imagesIn(dir);
  const tablePath = images.partitionTable.path;
  const plan = flashPlan({
    esptool: esptool!,
    port,
    baud,
    images,
    partitionTable: images.partitionTable.size !== undefined ? fs.readFileSync(tablePath) : undefined,
  });
  if (expect) {
    const wrong = FLASH_LAYOUT.filter((s) => expect![s.role] !== undefined && sha256File(images[s.role].path) !== expect![s.role]);
    if (wrong.length > 0) throw new FlashRefused(wrong.map((s) => `${s.role} image ${images[s.role].path} does not have the expected sha256 (rebuild, or the directory changed)`));
  }
  for (const [what, argv] of [["write_flash", plan.write], ["verify_flash", plan.verify]] as const) {
    process.stderr.write(`flash: ${argv.join(" ")}\n`);
    const res = spawnSync(argv[0]!, argv.slice(1), { stdio: ["ignore", "inherit", "inherit"] });
    if (res.error) throw new Error(`cannot run ${argv[0]}: ${res.error.message}`);
    if (res.status !== 0) throw new Error(`esptool ${what} failed with exit code ${res.status}`);
  }
  process.stderr.write("flash: written and verified\n");
}

if (typeof require !== "undefined" && require.main === module) void runMain("flash", main);
