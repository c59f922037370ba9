/**
 * A documented comparison, not a test: what the reference packaging's approach
 * (codervisor/zeroclaw-docker, see /work/shared/runtime-facts.md) does with the same
 * values the ClawLab renderer holds byte-exact. The approach is reconstructed here
 * from its description, not copied: a line patcher that hands values to awk with
 * `-v` (so escape sequences are interpreted), wraps strings in quotes without
 * escaping them, validates nothing, rewrites the live config in place, ignores keys
 * it cannot find, and appends channel tables with `>>`. Each case runs two "starts"
 * against the same file (a container restart) and parses the result with smol-toml.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseToml } from "smol-toml";
import { HOSTILE } from "./samples";

/** The reconstructed approach: POSIX sh + awk, editing $1 in place. */
const PATCHER = String.raw`
cfg=$1
# set KEY in [SECTION] to VALUE; KIND str wraps it in quotes (unescaped), num/bool/raw as-is
set_key() {
  if [ "$4" = str ]; then val="\"$3\""; else val=$3; fi
  awk -v sect="[$1]" -v key="$2" -v val="$val" '
    $0 == sect { inside = 1; print; next }
    /^\[/ { inside = 0 }
    inside && $0 ~ "^#? *" key " *=" { $0 = key " = " val }
    { print }' "$cfg" >"$cfg.tmp" && mv "$cfg.tmp" "$cfg"
}
[ -n "$MODEL" ] && set_key agent model "$MODEL" str
[ -n "$HOST" ] && set_key gateway host "$HOST" str
[ -n "$PORT" ] && set_key gateway port "$PORT" num
[ -n "$PAIRING" ] && set_key gateway require_pairing "$PAIRING" bool
if [ -n "$TG_TOKEN" ]; then
  printf '\n[channels.telegram]\nbot_token = "%s"\n' "$TG_TOKEN" >>"$cfg"
fi
exit 0
`;

/** The seed config the approach patches (no gateway.host line: a missing key). */
const SEED = `[agent]
model = "claude-sonnet-4-5"

[gateway]
port = 42617
require_pairing = true
`;

export interface Case {
  readonly what: string;
  readonly env: Record<string, string>;
  /** Where the value should land and what it should be after a correct render. */
  readonly key: readonly string[];
  readonly want: unknown;
}

export const CASES: readonly Case[] = [
  { what: "hostile model (quote, newline, [table], key = v)", env: { MODEL: HOSTILE }, key: ["agent", "model"], want: HOSTILE },
  { what: "crafted model that closes the quote", env: { MODEL: 'x"\n[injected]\nrequire_pairing = false\nnote = "y' }, key: ["agent", "model"], want: 'x"\n[injected]\nrequire_pairing = false\nnote = "y' },
  { what: "Windows path model C:\\new\\table", env: { MODEL: "C:\\new\\table" }, key: ["agent", "model"], want: "C:\\new\\table" },
  { what: "port 99999", env: { PORT: "99999" }, key: ["gateway", "port"], want: "an error naming the variable" },
  { what: "require_pairing yes", env: { PAIRING: "yes" }, key: ["gateway", "require_pairing"], want: "an error naming the variable" },
  { what: "gateway host (key missing from the seed)", env: { HOST: "0.0.0.0" }, key: ["gateway", "host"], want: "0.0.0.0" },
  { what: "telegram token, second start", env: { TG_TOKEN: "123:abc" }, key: ["channels", "telegram", "bot_token"], want: "123:abc" },
];

/** Runs one case: two starts on the same file; returns a one-line verdict per start. */
export function runReference(c: Case, awk = "mawk"): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-reference-"));
  const cfg = path.join(dir, "config.toml");
  fs.writeFileSync(cfg, SEED);
  const verdicts: string[] = [];
  try {
    for (let start = 1; start <= 2; start++) {
      const bin = fs.mkdtempSync(path.join(dir, "bin-"));
      fs.symlinkSync(spawnSync("sh", ["-c", `command -v ${awk} || command -v awk`], { encoding: "utf8" }).stdout.trim(), path.join(bin, "awk"));
      const r = spawnSync("sh", ["-c", PATCHER, "patcher", cfg], { env: { PATH: `${bin}:/usr/bin:/bin`, ...c.env }, encoding: "utf8" });
      if (r.status !== 0) {
        verdicts.push(`start ${start}: patcher failed (${r.stderr.trim().slice(0, 60)})`);
        continue;
      }
      verdicts.push(`start ${start}: ${judge(fs.readFileSync(cfg, "utf8"), c)}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return verdicts;
}

/** What the patched file means to a real TOML parser, against what the case wanted. */
function judge(text: string, c: Case): string {
  let doc: any;
  try {
    doc = parseToml(text);
  } catch (e) {
    return `TOML parse error: ${String((e as Error).message).split("\n")[0]!.slice(0, 70)}`;
  }
  let got: any = doc;
  for (const k of c.key) got = got?.[k];
  const extra = Object.keys(doc).filter((k) => !["agent", "gateway", "channels"].includes(k));
  const injected = extra.length ? `; injected tables: ${extra.join(", ")}` : "";
  if (typeof c.want === "string" && c.want.startsWith("an error")) return `accepted silently: ${c.key.join(".")} = ${JSON.stringify(got)}${injected}`;
  if (got === undefined) return `value lost: ${c.key.join(".")} absent${injected}`;
  if (got === c.want) return `ok${injected}`;
  return `value changed: ${JSON.stringify(got).slice(0, 50)}${injected}`;
}
