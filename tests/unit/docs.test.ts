import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { canonicalSchema } from "../../components/config/schema";
import { stackSchema } from "../../components/config/stack";
import { GENERATE_COMMAND, model, REFERENCE_FILE, renderConfigReference, ROOT, staleness } from "../../docs/generate";

/** Every table and key path of a parsed TOML document; a secret reference is one key. */
function documentPaths(node: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(node).flatMap(([key, value]) => {
    const at = prefix ? `${prefix}.${key}` : key;
    const isTable = typeof value === "object" && value !== null && !Array.isArray(value);
    const isSecretRef = isTable && Object.keys(value).length === 1 && ("secret" in value || "env" in value);
    return isTable && !isSecretRef ? [at, ...documentPaths(value as Record<string, unknown>, at)] : [at];
  });
}

/** Does a reference path (`runtimes.<name>.port`) cover a concrete one (`runtimes.zeroclaw.port`)? */
function covers(pattern: string, concrete: string): boolean {
  const want = pattern.split(".");
  const have = concrete.split(".");
  return want.length === have.length && want.every((segment, i) => segment.startsWith("<") || segment === have[i]);
}

/** Key paths of a JSON Schema, `<name>` for a table of tables: zod's own view, to check the walker against. */
function jsonSchemaPaths(schema: Record<string, any>, prefix = ""): string[] {
  const join = (key: string) => (prefix ? `${prefix}.${key}` : key);
  if (schema.oneOf || schema.anyOf) {
    const variants = (schema.oneOf ?? schema.anyOf) as Record<string, any>[];
    return [...new Set(variants.flatMap((s) => jsonSchemaPaths(s, prefix)))];
  }
  if (schema.type !== "object") return [];
  if (schema.properties) {
    return Object.entries(schema.properties as Record<string, Record<string, any>>).flatMap(([key, value]) => {
      const below = jsonSchemaPaths(value, join(key));
      return below.length > 0 ? below : [join(key)];
    });
  }
  if (typeof schema.additionalProperties === "object") return jsonSchemaPaths(schema.additionalProperties, join("<name>"));
  return [];
}

describe("docs/config-reference.md", () => {
  const reference = model();
  const onDisk = fs.readFileSync(path.join(ROOT, REFERENCE_FILE), "utf8");

  it(`is what the schemas generate (stale: run ${GENERATE_COMMAND})`, () => {
    expect(onDisk === renderConfigReference(), `${REFERENCE_FILE} is stale: run ${GENERATE_COMMAND}`).toBe(true);
  });

  it("documents every table and key of clawlab.example.toml", () => {
    const example = parse(fs.readFileSync(path.join(ROOT, "clawlab.example.toml"), "utf8")) as Record<string, unknown>;
    const documented = [
      // `[hosts.<name>]` documents the table `hosts` too.
      ...reference.sections.flatMap((s) => [s.path, s.path.split(".")[0]!].map((p) => ({ path: p, text: `### \`[${s.path}]\`` }))),
      ...reference.sections.flatMap((s) => s.keys.map((k) => ({ path: k.path, text: `| \`${k.path}\` |` }))),
    ];
    const paths = documentPaths(example);
    expect(paths).toContain("runtimes.nanoclaw.onecli_api_key");
    const undocumented = paths.filter((p) => !documented.some((d) => covers(d.path, p) && onDisk.includes(d.text)));
    expect(undocumented).toEqual([]);
  });

  it("has a row for every key zod's JSON Schema of the two schemas knows", () => {
    const options = { io: "input", unrepresentable: "any" } as const;
    const canonical = jsonSchemaPaths(z.toJSONSchema(canonicalSchema, options));
    expect(reference.sections.flatMap((s) => s.keys.map((k) => k.path)).sort()).toEqual(canonical.sort());
    const stack = Object.keys(z.toJSONSchema(stackSchema, options).properties ?? {}).map((k) => `${reference.namespace}:${k}`);
    expect(reference.stackKeys.map((k) => k.path).sort()).toEqual(stack.sort());
  });

  it("shows only examples its own schema accepts", () => {
    const keys = [...reference.sections.flatMap((s) => s.keys), ...reference.stackKeys];
    const rejected = keys.flatMap((key) =>
      key.examples.filter((example) => !key.schema.safeParse(example).success).map((e) => `${key.path}: ${JSON.stringify(e)}`),
    );
    expect(rejected).toEqual([]);
    const withoutExample = reference.sections.flatMap((s) => s.keys).filter((k) => k.examples.length === 0);
    expect(withoutExample.map((k) => k.path)).toEqual([]);
  });

  it("--check names the stale file and the command that fixes it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-docs-"));
    try {
      const file = path.join(dir, "config-reference.md");
      expect(staleness(file)).toContain(`is missing: run ${GENERATE_COMMAND}`);
      fs.writeFileSync(file, onDisk.replace("# Configuration reference", "# Old reference"));
      expect(staleness(file)).toMatch(/config-reference\.md is stale .*: run npx tsx docs\/generate\.ts$/);
      fs.writeFileSync(file, renderConfigReference());
      expect(staleness(file)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
