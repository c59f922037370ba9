/**
 * Program evaluation cost under Pulumi's mocks, and determinism.
 *
 *   npx tsx tests/bench/program.bench.ts [--quick] [--breakdown] [--sizes=10,100,1000]
 *                                        [--only=bare,flat,claw] [--no-source-maps] [--stack-limit=N]
 *
 * A full run takes minutes (most of it the 1000-instance runs): `--quick` does 1 warm-up
 * and 3 measured runs per size instead of 5+15, 2+7 and 1+5.
 *
 * 1. Scaling: N ClawRuntime components (N = 10, 100, 1000, cycling through the seven
 *    runtimes of the example config, args from each declaration and translator as the
 *    Fleet builds them) against N bare trios of the resources a runtime needs at least
 *    (docker-build Image, Volume, Container, plain inputs). `--breakdown` adds "flat": the
 *    same custom resources a ClawRuntime registers (Image, RemoteImage, Volume, Container,
 *    a RandomPassword per key to stored data, and the fleet's one token seed) without the
 *    component and its Output plumbing,
 *    which splits the ratio into "more resources" and "our code". The seed (one
 *    RandomPassword per fleet, as the Fleet makes it) is timed too, for flat and claw.
 *    A run is timed from the first constructor call until the mock monitor has received
 *    every registration (each resource, and each component's registerOutputs). Every size
 *    gets warm-up runs, then measured runs with the variants interleaved, a full GC before
 *    each; the median is reported. Goal: ClawRuntime <= 1.3x bare at 1000 (reported).
 * 2. Where the time goes, without timing noise: the Pulumi SDK captures a stack trace
 *    (`new Error().stack`) four times per output property of every resource it registers
 *    (runtime/debuggable.js, via rpc.transferProperties), plus one full-depth trace per
 *    resource for its source position. These captures are counted per instance and
 *    resource type; they dominate the time (see `--stack-limit=0`, which makes them free).
 * 3. Determinism: the real program (index.ts, the example config, a local registry)
 *    evaluated twice under mocks; every recorded resource input must be deep-equal,
 *    secrets included. Prints OK or the first difference; exits 1 on a difference.
 *
 * tsx turns Node's source maps on, so every captured stack is source-mapped, as under
 * `pulumi up` (which registers source-map-support); `--no-source-maps` turns that off.
 */
import * as docker from "@pulumi/docker";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { isDeepStrictEqual } from "node:util";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { translateInput } from "../../cli/translate-input";
import { loadCanonical } from "../../components/config/load";
import type { RuntimeSpec } from "../../components/config/validate";
import { ClawRuntime, type ClawRuntimeArgs } from "../../components/claw-runtime";
import { fleetLabels } from "../../components/container-settings";
import type { ImageBuildSettings } from "../../components/registry";
import { translators } from "../../runtimes";
import { IMAGE_HEALTH_COMMAND } from "../../runtimes/image";
import { EXAMPLE_SECRETS, evaluate, type Recorded } from "../program/harness";

const ROOT = path.join(__dirname, "../..");
const EXAMPLE = path.join(ROOT, "clawlab.example.toml");
const RUNTIMES_DIR = path.join(ROOT, "runtimes");

const argv = process.argv.slice(2);
const flag = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const known = ["--quick", "--breakdown", "--no-source-maps", "--sizes=", "--stack-limit=", "--only="];
for (const arg of argv) {
  if (!known.some((k) => (k.endsWith("=") ? arg.startsWith(k) : arg === k))) {
    console.error(`unknown argument ${arg}; see the comment at the top of ${path.relative(process.cwd(), __filename)}`);
    process.exit(2);
  }
}
const QUICK = argv.includes("--quick");
const SIZES = (flag("sizes") ?? "10,100,1000").split(",").map(Number);
const VARIANTS = (flag("only")?.split(",") ?? (argv.includes("--breakdown") ? ["bare", "flat", "claw"] : ["bare", "claw"])) as Variant[];
/** Error.stackTraceLimit while a run constructs and registers (experiment); default untouched. */
const STACK_LIMIT = flag("stack-limit") === undefined ? undefined : Number(flag("stack-limit"));
if (argv.includes("--no-source-maps")) process.setSourceMapsEnabled(false);
/** Warm-up and measured runs per size: many where a run is short, fewer where it takes seconds. */
const PLAN = (n: number) => (QUICK ? { warmup: 1, runs: 3 } : n <= 10 ? { warmup: 5, runs: 15 } : n <= 100 ? { warmup: 2, runs: 7 } : { warmup: 1, runs: 5 });
const GOAL = 1.3;

type Variant = "bare" | "flat" | "claw";

/** A full GC between runs, so one run's garbage is not collected on the next one's clock. */
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

// ---------------------------------------------------------------------------------------
// The mock monitor: cheap deterministic state, and a count of what reached it.

let registered = 0;
let outputsRegistered = 0;
let expected = { resources: Infinity, outputs: Infinity };
let finished: (() => void) | undefined;

function checkDone() {
  if (finished && registered >= expected.resources && outputsRegistered >= expected.outputs) {
    const done = finished;
    finished = undefined;
    done();
  }
}

/** The provider's answer: inputs back, plus stand-ins for the computed outputs the components read. */
function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
  switch (type) {
    case "docker-build:index:Image":
      return { ...inputs, digest: `sha256:${name}`, ref: `${name}@sha256:${name}` };
    case "docker:index/remoteImage:RemoteImage":
      return { ...inputs, imageId: `sha256:image-${name}` };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: "x".repeat(Number(inputs.length) || 16) };
    default:
      return inputs;
  }
}

async function installMocks() {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered++;
        queueMicrotask(checkDone);
        return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs) };
      },
      call: (args) => args.inputs,
    },
    "clawlab",
    "bench",
    false,
  );
  // A component's registerOutputs reaches the monitor as registerResourceOutputs: count those too.
  const monitor = (pulumi.runtime as any).getMonitor();
  const original = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req: unknown, callback: (...a: unknown[]) => void) => {
    original(req, callback);
    outputsRegistered++;
    checkDone();
  };
}

/** Waits until the runtime has no RPC in flight (the previous run fully settled). */
async function settle() {
  await (pulumi.runtime as any).waitForRPCs();
  await new Promise((resolve) => setImmediate(resolve));
}

// ---------------------------------------------------------------------------------------
// What each variant constructs.

const example = loadCanonical(EXAMPLE);
const runtimes: readonly RuntimeSpec[] = example.runtimes;
const build: ImageBuildSettings = { registry: "localhost:5000/bench", cache: "inline" };
const SIDECAR_URL = "postgres://ironclaw:pw@db:5432/ironclaw?sslmode=disable";

/** The translator settings a Fleet would hand this runtime, secrets as fresh secret Outputs. */
function settingsFor(runtime: RuntimeSpec): ClawRuntimeArgs["settings"] {
  const { generated: _, ...settings } = translateInput<pulumi.Output<string>>(runtime, {
    ref: (at) => pulumi.secret(`bench-secret-for-${at}`),
    generated: () => pulumi.secret("unused: ClawRuntime generates its own"),
    sidecarDatabaseUrl: () => pulumi.secret(SIDECAR_URL),
  });
  return settings;
}

/** The container env a runtime gets, as plain `NAME=value` strings (for the bare variants). */
function plainEnvs(runtime: RuntimeSpec): string[] {
  const input = translateInput<string>(runtime, {
    ref: (at) => `bench-secret-for-${at}`,
    generated: (_, name) => `generated-${name}`,
    sidecarDatabaseUrl: () => SIDECAR_URL,
  });
  const env = translators[runtime.name](input);
  return Object.keys(env)
    .sort()
    .map((name) => {
      const value = env[name]!;
      return `${name}=${Array.isArray(value) ? value.join("") : value}`;
    });
}
const PLAIN_ENVS = new Map(runtimes.map((r) => [r.name, plainEnvs(r)]));

/** Registrations one instance of a variant makes: resources, and component outputs. */
function perInstance(variant: Variant, runtime: RuntimeSpec): { resources: number; outputs: number } {
  const keys = runtime.declaration.generatedSecrets.filter((s) => s.encryptsData).length;
  if (variant === "bare") return { resources: 3, outputs: 0 };
  if (variant === "flat") return { resources: 4 + keys, outputs: 0 };
  return { resources: 5 + keys, outputs: 1 };
}

/** The fleet's token seed, as the Fleet makes it: once per run, for the variants that have generated tokens. */
function tokenSeed(variant: Variant, run: number): pulumi.Output<string> | undefined {
  if (variant === "bare") return undefined;
  return pulumi.secret(new random.RandomPassword(`r${run}-token-seed`, { length: 64, special: false }).result);
}

function imageArgs(runtime: RuntimeSpec, fleet: string): dockerBuild.ImageArgs {
  const repository = `${build.registry}/${runtime.name}`;
  return {
    context: { location: RUNTIMES_DIR },
    dockerfile: { location: path.join(RUNTIMES_DIR, runtime.name, "Dockerfile") },
    buildArgs: { VERSION: runtime.version },
    tags: [`${repository}:${runtime.version}`, `${repository}:latest`],
    labels: Object.fromEntries(fleetLabels(fleet, runtime.name, runtime.version).map((l) => [l.label, l.value])),
    push: true,
    registries: [],
    cacheFrom: [],
    cacheTo: [{ inline: {} }],
  };
}

/** The container inputs that do not depend on another resource, as ClawRuntime sets them. */
function containerArgs(runtime: RuntimeSpec, fleet: string) {
  const decl = runtime.declaration;
  return {
    name: `${fleet}-${decl.name}`,
    ports: [{ internal: decl.port, external: runtime.port, ip: "0.0.0.0", protocol: "tcp" }],
    restart: "unless-stopped",
    healthcheck: { tests: ["CMD", IMAGE_HEALTH_COMMAND], interval: "10s", timeout: "5s", retries: 3, startPeriod: `${decl.health.startPeriodSeconds}s` },
    wait: true,
    waitTimeout: decl.health.startPeriodSeconds + 60,
    user: `${decl.user.uid}:${decl.user.uid}`,
    capabilities: { drops: ["ALL"] },
    securityOpts: ["no-new-privileges:true"],
    readOnly: decl.readOnlyRootFilesystem,
    memory: runtime.memoryMiB,
    logDriver: "json-file",
    logOpts: { "max-size": "10m", "max-file": "3" },
    labels: fleetLabels(fleet, decl.name, runtime.version),
  };
}

/** Constructs instance `i` of a variant; registration then proceeds asynchronously. */
function construct(variant: Variant, run: number, i: number, provider: docker.Provider, seed: pulumi.Output<string> | undefined) {
  const runtime = runtimes[i % runtimes.length]!;
  const name = `r${run}-i${i}-${runtime.name}`;
  const fleet = `f${i}`;
  if (variant === "claw") {
    new ClawRuntime(name, {
      declaration: runtime.declaration,
      translate: translators[runtime.name],
      settings: settingsFor(runtime),
      fleet,
      version: runtime.version,
      build,
      provider,
      hostPort: runtime.port,
      memoryMiB: runtime.memoryMiB,
      tokenSeed: seed,
    });
    return;
  }
  const image = new dockerBuild.Image(`${name}-image`, imageArgs(runtime, fleet));
  const volume = new docker.Volume(
    `${name}-state`,
    { name: `${fleet}-${runtime.name}-state`, labels: fleetLabels(fleet, runtime.name, runtime.version) },
    { provider, retainOnDelete: true },
  );
  let imageId: pulumi.Input<string> = image.ref;
  if (variant === "flat") {
    imageId = new docker.RemoteImage(`${name}-pull`, { name: image.ref, keepLocally: true }, { provider }).imageId;
    for (const secret of runtime.declaration.generatedSecrets.filter((s) => s.encryptsData)) {
      new random.RandomPassword(`${name}-${secret.name}`, { length: secret.length, special: false });
    }
  }
  new docker.Container(
    `${name}-container`,
    {
      ...containerArgs(runtime, fleet),
      image: imageId,
      envs: PLAIN_ENVS.get(runtime.name)!,
      volumes: [{ volumeName: volume.name, containerPath: runtime.declaration.stateDir }],
    },
    { provider, deleteBeforeReplace: true },
  );
}

let runNumber = 0;
/** Wall-clock and CPU ms of one run. */
interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

/**
 * One run: from the first constructor call until the monitor has every registration, in
 * wall-clock ms and in this process's CPU ms (which other load on the machine does not inflate).
 */
async function timeRun(variant: Variant, n: number, beforeStart?: () => void): Promise<Timing> {
  await installMocks();
  const run = ++runNumber;
  registered = 0;
  outputsRegistered = 0;
  const provider = new docker.Provider(`r${run}-host`, { host: "unix:///var/run/docker.sock" });
  await new Promise<void>((resolve) => {
    expected = { resources: 1, outputs: 0 };
    finished = resolve;
    checkDone();
  });
  await settle();
  gc();

  registered = 0;
  outputsRegistered = 0;
  expected = { resources: variant === "bare" ? 0 : 1, outputs: 0 };
  for (let i = 0; i < n; i++) {
    const per = perInstance(variant, runtimes[i % runtimes.length]!);
    expected.resources += per.resources;
    expected.outputs += per.outputs;
  }
  const done = new Promise<void>((resolve) => (finished = resolve));
  beforeStart?.();
  const limit = Error.stackTraceLimit;
  if (STACK_LIMIT !== undefined) Error.stackTraceLimit = STACK_LIMIT;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const seed = tokenSeed(variant, run);
  for (let i = 0; i < n; i++) construct(variant, run, i, provider, seed);
  await done;
  const wall = performance.now() - start;
  const cpuUsed = process.cpuUsage(cpuStart);
  Error.stackTraceLimit = limit;
  await settle();
  if (registered !== expected.resources || outputsRegistered !== expected.outputs) {
    throw new Error(`${variant} x${n}: expected ${expected.resources}+${expected.outputs} registrations, got ${registered}+${outputsRegistered}`);
  }
  return { wall, cpu: (cpuUsed.user + cpuUsed.system) / 1000 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface SizeResult {
  readonly n: number;
  readonly runs: number;
  /** Median wall-clock ms per variant. */
  readonly ms: Partial<Record<Variant, number>>;
  /** Median CPU ms per variant. */
  readonly cpu: Partial<Record<Variant, number>>;
}

async function scaling(): Promise<SizeResult[]> {
  const results: SizeResult[] = [];
  for (const n of SIZES) {
    const plan = PLAN(n);
    const samples: Record<Variant, Timing[]> = { bare: [], flat: [], claw: [] };
    for (let w = 0; w < plan.warmup; w++) for (const v of VARIANTS) await timeRun(v, n);
    // Interleaved, so drift (other load, heap growth) hits every variant alike.
    for (let r = 0; r < plan.runs; r++) for (const v of VARIANTS) samples[v].push(await timeRun(v, n));
    const ms: SizeResult["ms"] = {};
    const cpu: SizeResult["cpu"] = {};
    for (const v of VARIANTS) {
      ms[v] = median(samples[v].map((t) => t.wall));
      cpu[v] = median(samples[v].map((t) => t.cpu));
    }
    results.push({ n, runs: plan.runs, ms, cpu });
    process.stderr.write(`  ${n} instances: ${VARIANTS.map((v) => `${v} ${fmt(ms[v]!)} ms (cpu ${fmt(cpu[v]!)})`).join(", ")}\n`);
  }
  return results;
}

// ---------------------------------------------------------------------------------------
// Where the time goes: the SDK's stack captures, counted per resource type.

/** Stack captures per instance of a variant, by resource type (averaged over the seven runtimes). */
async function stackCaptures(variant: Variant): Promise<Map<string, number>> {
  const debuggable = require("@pulumi/pulumi/runtime/debuggable");
  const original = debuggable.debuggablePromise;
  const callsites = (pulumi.Resource as any).callsites as () => unknown;
  const counts = new Map<string, number>();
  const add = (type: string) => counts.set(type, (counts.get(type) ?? 0) + 1);
  debuggable.debuggablePromise = (p: Promise<unknown>, ctx: string) => {
    const type = /\[([^\]]+)\]/.exec(ctx)?.[1];
    add(type ?? (ctx.includes("registerResourceOutputs") ? "component registerOutputs" : `SDK ${ctx.split("(")[0] || "other"}`));
    return original(p, ctx);
  };
  (pulumi.Resource as any).callsites = () => {
    add("source position (full-depth trace)");
    return callsites.call(pulumi.Resource);
  };
  try {
    await timeRun(variant, runtimes.length * 2, () => counts.clear());
  } finally {
    debuggable.debuggablePromise = original;
    (pulumi.Resource as any).callsites = callsites;
  }
  for (const [type, count] of counts) counts.set(type, count / (runtimes.length * 2));
  return counts;
}

// ---------------------------------------------------------------------------------------
// Determinism of the real program.

/** Loads index.ts afresh: every project module outside node_modules and tests/ is evaluated again. */
async function importProgram(): Promise<Record<string, any>> {
  for (const id of Object.keys(require.cache)) {
    if (id.startsWith(ROOT) && !id.includes(`${path.sep}node_modules${path.sep}`) && !id.includes(`${path.sep}tests${path.sep}`)) {
      delete require.cache[id];
    }
  }
  return require("../../index");
}

/** The first path at which two values differ, or undefined. */
function firstDifference(a: unknown, b: unknown, at = ""): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const found = firstDifference((a as any)[key], (b as any)[key], Array.isArray(a) ? `${at}[${key}]` : `${at}.${key}`);
      if (found) return found;
    }
  }
  return `${at || "(value)"}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
}

async function determinism(): Promise<{ resources: number; difference?: string }> {
  const config = { "clawlab:configFile": EXAMPLE, "clawlab:localRegistry": "true", ...EXAMPLE_SECRETS };
  const keyed = (resources: Recorded[]) => {
    const map = new Map<string, Recorded>();
    for (const r of resources) {
      const key = `${r.type}::${r.name}`;
      if (map.has(key)) throw new Error(`registered twice: ${key}`);
      map.set(key, r);
    }
    return map;
  };
  // The program warns about NanoClaw's socket; keep the bench output to the tables.
  const warn = pulumi.log.warn;
  (pulumi.log as any).warn = () => Promise.resolve();
  try {
    const first = keyed((await evaluate(config, Object.keys(EXAMPLE_SECRETS), importProgram)).resources);
    await settle();
    const second = keyed((await evaluate(config, Object.keys(EXAMPLE_SECRETS), importProgram)).resources);
    await settle();
    if (first.size === 0) return { resources: 0, difference: "the program registered nothing" };
    for (const key of [...new Set([...first.keys(), ...second.keys()])].sort()) {
      const a = first.get(key);
      const b = second.get(key);
      if (!a || !b) return { resources: first.size, difference: `${key}: registered in only ${a ? "the first" : "the second"} evaluation` };
      const found = firstDifference({ inputs: a.inputs, provider: a.provider }, { inputs: b.inputs, provider: b.provider });
      if (found) return { resources: first.size, difference: `${key} ${found}` };
    }
    return { resources: first.size };
  } finally {
    (pulumi.log as any).warn = warn;
  }
}

// ---------------------------------------------------------------------------------------

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function printTable(header: string[], rows: string[][], alignLeft = 1) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) {
    console.log(row.map((c, i) => (i < alignLeft ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd());
  }
}

async function main() {
  const drift = await determinism();
  const results = await scaling();
  const captures = new Map<Variant, Map<string, number>>();
  for (const v of VARIANTS) captures.set(v, await stackCaptures(v));

  const mode = [
    process.sourceMapsEnabled ? "source maps on" : "source maps off",
    STACK_LIMIT === undefined ? `Error.stackTraceLimit ${Error.stackTraceLimit}` : `Error.stackTraceLimit ${STACK_LIMIT} while timed`,
  ].join(", ");
  console.log(`\nProgram evaluation under Pulumi mocks: node ${process.version}, ${mode}`);
  console.log("ms: median wall-clock of the measured runs after warm-up; cpu: the same ratio in process CPU time");
  const has = (v: Variant) => VARIANTS.includes(v);
  const pairs = ([["claw", "bare"], ["flat", "bare"], ["claw", "flat"]] as [Variant, Variant][]).filter(([a, b]) => has(a) && has(b));
  const header = [
    "N",
    "runs",
    ...VARIANTS.map((v) => `${v} ms`),
    ...pairs.map(([a, b]) => `${a}/${b}`),
    ...pairs.map(([a, b]) => `cpu ${a}/${b}`),
    ...VARIANTS.map((v) => `${v} µs/inst`),
  ];
  const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}x`;
  const rows = results.map(({ n, runs, ms, cpu }) => [
    String(n),
    String(runs),
    ...VARIANTS.map((v) => fmt(ms[v]!)),
    ...pairs.map(([a, b]) => ratio(ms[a]!, ms[b]!)),
    ...pairs.map(([a, b]) => ratio(cpu[a]!, cpu[b]!)),
    ...VARIANTS.map((v) => ((ms[v]! * 1000) / n).toFixed(0)),
  ]);
  printTable(header, rows);
  const at1000 = results.find((r) => r.n === 1000);
  if (at1000?.ms.claw !== undefined && at1000.ms.bare !== undefined) {
    const wall = at1000.ms.claw / at1000.ms.bare;
    const cpu = at1000.cpu.claw! / at1000.cpu.bare!;
    const verdict = wall <= GOAL && cpu <= GOAL ? "met" : wall <= GOAL || cpu <= GOAL ? "borderline" : "NOT met";
    console.log(`goal: ClawRuntime <= ${GOAL}x bare at 1000 instances: ${verdict} (wall ${wall.toFixed(2)}x, cpu ${cpu.toFixed(2)}x)`);
  }

  const types = [...new Set([...captures.values()].flatMap((m) => [...m.keys()]))].sort(
    (a, b) => (captures.get("claw")?.get(b) ?? 0) - (captures.get("claw")?.get(a) ?? 0),
  );
  console.log("\nStack captures per instance (Pulumi SDK: 4 per output property of each resource, 1 full trace per resource):");
  const perType = types.map((t) => [t, ...VARIANTS.map((v) => (captures.get(v)!.get(t) ?? 0).toFixed(1))]);
  const totals = ["total", ...VARIANTS.map((v) => [...captures.get(v)!.values()].reduce((a, b) => a + b, 0).toFixed(1))];
  printTable(["resource type", ...VARIANTS], [...perType, totals]);

  console.log(
    `\ndeterminism (index.ts evaluated twice, ${drift.resources} resources, every input incl. secrets): ${drift.difference ? `DIFFERENT: ${drift.difference}` : "OK"}`,
  );
  if (drift.difference) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
