/**
 * Where the MimiClaw images go in flash, and what the firmware is built from.
 *
 * From upstream memovai/mimiclaw: partitions.csv (nvs 0x9000+0x6000,
 * otadata 0xF000+0x2000, phy_init 0x11000, ota_0 0x20000+0x200000,
 * ota_1 0x220000+0x200000, spiffs 0x420000+0xBD0000, coredump 0xFF0000) and
 * the release workflow (esptool --chip esp32s3 -b 460800 write_flash
 * 0x0 bootloader, 0x8000 partition table, 0xf000 ota data, 0x20000 app).
 */

/** Upstream source, pinned by tag (and optionally by commit: MIMICLAW_SOURCE_COMMIT). */
export const UPSTREAM = {
  repo: "https://github.com/memovai/mimiclaw.git",
  version: "v0.1.0",
  /**
   * The ESP-IDF image upstream CI builds with (>= 5.5, < 5.6), pinned by digest.
   * The digest is the one public build records give for v5.5.2; it was not
   * pulled from here (no registry access): check it with
   * `docker buildx imagetools inspect espressif/idf:v5.5.2` when bumping.
   */
  idfImage: "espressif/idf:v5.5.2@sha256:05cbfc42ed2e987b8026722c15bf1d8523d3e4fd1b4ac04d2e4056f5e0918b99",
  target: "esp32s3",
} as const;

export type ImageRole = "bootloader" | "partitionTable" | "otaData" | "app";

export interface ImageSlot {
  role: ImageRole;
  /** File name in an images directory (as written by build.ts). */
  file: string;
  /** Path of the file in an ESP-IDF build directory. */
  buildPath: string;
  /** Flash offset. */
  offset: number;
  /** Bytes available at that offset before the next region starts. */
  maxSize: number;
}

/** The four images and their flash regions, in write order. */
export const FLASH_LAYOUT: readonly ImageSlot[] = [
  // The ESP32-S3 ROM loads the second-stage bootloader from 0x0; the partition table follows at 0x8000.
  { role: "bootloader", file: "bootloader.bin", buildPath: "bootloader/bootloader.bin", offset: 0x0, maxSize: 0x8000 },
  // One 4 KiB sector before nvs at 0x9000.
  { role: "partitionTable", file: "partition-table.bin", buildPath: "partition_table/partition-table.bin", offset: 0x8000, maxSize: 0x1000 },
  { role: "otaData", file: "ota_data_initial.bin", buildPath: "ota_data_initial.bin", offset: 0xf000, maxSize: 0x2000 },
  { role: "app", file: "mimiclaw.bin", buildPath: "mimiclaw.bin", offset: 0x20000, maxSize: 0x200000 },
];

/** One entry of an ESP-IDF binary partition table. */
export interface PartitionEntry {
  label: string;
  type: number;
  subtype: number;
  offset: number;
  size: number;
}

/**
 * Parses an ESP-IDF binary partition table: 32-byte entries starting with the
 * magic bytes AA 50, ended by an MD5 entry (EB EB) or erased flash (FF FF).
 */
export function parsePartitionTable(bin: Buffer): PartitionEntry[] {
  const entries: PartitionEntry[] = [];
  for (let at = 0; at + 32 <= bin.length; at += 32) {
    const magic = bin.readUInt16LE(at);
    if (magic === 0x50aa) {
      const label = bin.subarray(at + 12, at + 28).toString("latin1").replace(/\0.*$/s, "");
      entries.push({ label, type: bin[at + 2]!, subtype: bin[at + 3]!, offset: bin.readUInt32LE(at + 4), size: bin.readUInt32LE(at + 8) });
    } else if (magic === 0xebeb || magic === 0xffff) {
      break;
    } else {
      throw new Error(`partition table entry at byte ${at} has bad magic 0x${magic.toString(16)}`);
    }
  }
  return entries;
}

/** Builds a binary partition table (for tests and tooling). */
export function encodePartitionTable(entries: readonly PartitionEntry[]): Buffer {
  const out = Buffer.alloc(0xc00, 0xff);
  entries.forEach((e, i) => {
    const at = i * 32;
    out.writeUInt16LE(0x50aa, at);
    out[at + 2] = e.type;
    out[at + 3] = e.subtype;
    out.writeUInt32LE(e.offset, at + 4);
    out.writeUInt32LE(e.size, at + 8);
    out.fill(0, at + 12, at + 28);
    out.write(e.label.slice(0, 16), at + 12, "latin1");
    out.writeUInt32LE(0, at + 28);
  });
  return out;
}

/** Upstream's table, as entries (type 0 = app, 1 = data). */
export const UPSTREAM_PARTITIONS: readonly PartitionEntry[] = [
  { label: "nvs", type: 1, subtype: 0x02, offset: 0x9000, size: 0x6000 },
  { label: "otadata", type: 1, subtype: 0x00, offset: 0xf000, size: 0x2000 },
  { label: "phy_init", type: 1, subtype: 0x01, offset: 0x11000, size: 0x1000 },
  { label: "ota_0", type: 0, subtype: 0x10, offset: 0x20000, size: 0x200000 },
  { label: "ota_1", type: 0, subtype: 0x11, offset: 0x220000, size: 0x200000 },
  { label: "spiffs", type: 1, subtype: 0x82, offset: 0x420000, size: 0xbd0000 },
  { label: "coredump", type: 1, subtype: 0x03, offset: 0xff0000, size: 0x10000 },
];

/**
 * Checks a parsed table against {@link FLASH_LAYOUT}: the ota data and first
 * app partition must sit where the images are written. Returns the usable
 * size of each region (the table's own sizes win when smaller), or problems.
 */
export function checkTableAgainstLayout(entries: readonly PartitionEntry[]): { problems: string[]; maxSize: Partial<Record<ImageRole, number>> } {
  const problems: string[] = [];
  const maxSize: Partial<Record<ImageRole, number>> = {};
  const otadata = entries.find((e) => e.type === 1 && e.subtype === 0x00);
  const app = entries.find((e) => e.type === 0 && (e.subtype === 0x10 || e.subtype === 0x00));
  const want = (role: ImageRole) => FLASH_LAYOUT.find((s) => s.role === role)!;
  if (!otadata) problems.push("the partition table has no otadata partition");
  else if (otadata.offset !== want("otaData").offset) {
    problems.push(`the partition table puts otadata at 0x${otadata.offset.toString(16)}, the layout writes it at 0x${want("otaData").offset.toString(16)}`);
  } else maxSize.otaData = Math.min(otadata.size, want("otaData").maxSize);
  if (!app) problems.push("the partition table has no app partition");
  else if (app.offset !== want("app").offset) {
    problems.push(`the partition table puts the first app partition (${app.label}) at 0x${app.offset.toString(16)}, the layout writes the app at 0x${want("app").offset.toString(16)}`);
  } else maxSize.app = app.size;
  const first = entries.reduce((m, e) => Math.min(m, e.offset), Infinity);
  if (first < want("partitionTable").offset + want("partitionTable").maxSize) {
    problems.push(`a partition starts at 0x${first.toString(16)}, inside the partition table's sector`);
  }
  return { problems, maxSize };
}
