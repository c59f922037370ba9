/**
 * Sample values for an image's environment contract, by type, shared by the test
 * suite (runtime-suite.ts) and the benchmark. No vitest import: the benchmark runs
 * under plain tsx.
 */
import { randomBytes } from "node:crypto";
import type { EnvVar, RuntimeDeclaration } from "../../runtimes/types";
import type { ServiceSpec } from "./harness";
import { runtimeContainer } from "../../components/container-settings";

/** A value every format must carry byte-exact: it breaks naive quoting in TOML, JSON, YAML and sh. */
export const HOSTILE =
  'he said "hi" \\ C:\\path\\n $(id) `id` ${HOME} \'sq\'\n[injected]\nkey = "x"\r\n- item: v # not a comment\t\u00e9 \u65e5\u672c \u{1F600} \u2028end';

/** HOSTILE without white space, for values a runtime takes as one word (a model id): still breaks naive quoting. */
export const HOSTILE_TOKEN = HOSTILE.replace(/\s+/g, "");

/** Wrong values per type, each of which must stop the start with the variable's name. */
export const BAD_VALUES: Partial<Record<EnvVar["type"], string>> = {
  port: "99999",
  int: "12x",
  bool: "yes",
  "int-list": "1,x",
  list: "a,,b",
  enum: "not-one-of-them",
};

/** Per-runtime knowledge the generic samples need (see options.ts). */
export interface SampleOptions {
  /** Variables every start needs (the runtime refuses to start without them). */
  readonly required?: Record<string, string>;
  /** Values for given variables instead of the generic sample (e.g. a host that must stay an IP). */
  readonly samples?: Record<string, string>;
  /** How the `*` of a glob variable is filled in, by glob name (default `x`). */
  readonly globs?: Record<string, string>;
  /** Env-target variables the entrypoint consumes itself: they must NOT reach the runtime. */
  readonly consumed?: readonly string[];
  /**
   * Variables that turn on a channel whose service the test machine cannot reach: the real
   * runtime would go degraded or exit, so real runs leave them unset (the stand-in takes them).
   */
  readonly unreachable?: readonly string[];
  /** A service the real runtime needs (started beside it; the stand-in runs without it). */
  readonly service?: ServiceSpec;
}

/** One contract variable instantiated for a test: concrete name, contract entry, value. */
export interface Sample {
  readonly name: string;
  readonly v: EnvVar;
  readonly value: string;
}

/** A marker that makes a secret findable in logs and metadata: sekret-<name>-<8 hex>. */
export function marker(name: string): string {
  return `sekret-${name.toLowerCase().replace(/[^a-z0-9]/g, "")}-${randomBytes(4).toString("hex")}`;
}

/** The markers (or whole values) of the secrets among samples, for leak searches. */
export function secretNeedles(samples: readonly Sample[]): string[] {
  const out: string[] = [];
  for (const s of samples) {
    if (!s.v.secret) continue;
    const m = s.value.match(/sekret-[a-z0-9]+-[0-9a-f]{8}/g);
    out.push(...(m ?? [s.value]));
  }
  return out;
}

/** The generic sample of a variable by its type (hostile strings, secrets marked). */
export function sampleValue(v: EnvVar, name: string): string {
  switch (v.type) {
    case "string":
      return v.secret ? `${HOSTILE} ${marker(name)}` : HOSTILE;
    case "int":
      return "4242";
    case "port":
      return "40123";
    case "bool":
      return v.default === "true" ? "false" : "true";
    case "list":
      return v.secret ? ` ${marker(name)}-a , ${marker(name)}-b` : " alpha , beta,gamma-1 ";
    case "int-list":
      return " 111, 222 ,-3";
    case "enum": {
      const values = v.values ?? [];
      return [...values].reverse().find((x) => x !== v.default) ?? values[0] ?? "";
    }
  }
}

/** Every contract variable of a runtime with a sample value (required and per-runtime samples win). */
export function contractSamples(decl: RuntimeDeclaration, opts: SampleOptions = {}): Sample[] {
  return decl.env.map((v) => {
    const name = v.name.includes("*") ? v.name.replace("*", opts.globs?.[v.name] ?? "x") : v.name;
    const value = opts.samples?.[name] ?? opts.required?.[name] ?? sampleValue(v, name);
    return { name, v, value };
  });
}

/** The typed value a file target must hold after rendering `value`. */
export function expectedTyped(v: EnvVar, value: string): unknown {
  switch (v.type) {
    case "int":
    case "port":
      return Number(value);
    case "bool":
      return value === "true";
    case "list":
      return value.split(",").map((s) => s.trim());
    case "int-list":
      return value.split(",").map((s) => Number(s.trim()));
    default:
      return value;
  }
}

/** The port the runtime listens on given env: the contract's port variable when set, else the declared port. */
export function portOf(d: RuntimeDeclaration, env: Record<string, string>): number {
  const v = d.env.find((x) => x.type === "port" && !x.name.includes("*"));
  return v && env[v.name] ? Number(env[v.name]) : d.port;
}

/** The fleet's run flags (components/container-settings.ts): uid, no capabilities, no new privileges, read-only + tmpfs /tmp. */
export function fleetFlags(d: RuntimeDeclaration): string[] {
  // The settings the fleet's components (and Compose) give the container, as `docker run` flags.
  const settings = runtimeContainer(d, { fleet: "test", version: "test" });
  const flags = ["--user", settings.user];
  for (const cap of settings.capDrop) flags.push("--cap-drop", cap);
  for (const opt of settings.securityOpts) flags.push("--security-opt", opt);
  if (settings.readOnlyRootFilesystem) flags.push("--read-only");
  for (const [mount, options] of Object.entries(settings.tmpfs ?? {})) flags.push("--tmpfs", `${mount}:${options}`);
  return flags;
}
