/**
 * Start-up benchmark of the REAL runtimes (prints numbers; not a test):
 * `npm run bench:startup [-- --beside-suite] [runtime ...]` (tsx tests/images/startup.bench.ts).
 *
 * For every runtime whose suite image is the real one here (artifacts.ts: OpenClaw and
 * PicoClaw always, others from $CLAWLAB_ARTIFACTS), N times: `docker run -d` the fleet's way
 * (its hardening flags, the suite's required env, a fresh volume) → the container's health
 * probe first passes, probed every 250 ms; then `docker restart` → healthy again. It prints
 * median and maximum against the declaration's start period, the window Docker (and so
 * `pulumi up`'s health gate, and the tests' waits) gives a start before failures count.
 *
 * `--beside-suite` loads the machine the way CI does: the stand-in image suite
 * (`CLAWLAB_STANDIN` = every runtime, so it builds nothing real) runs in the background
 * during the measurement (the bench waits for it to finish). Env: CLAWLAB_BENCH_STARTS (default 5).
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as os from "node:os";
import { RUNTIME_NAMES, type RuntimeName } from "../../runtimes/types";
import { artifactKind, buildSuiteImage } from "./artifacts";
import { REPO, cleanup, createVolume, decl, docker, dockerOk, randomName } from "./harness";
import { IMAGE_OPTIONS } from "./options";
import { fleetFlags } from "./samples";

const STARTS = Number(process.env.CLAWLAB_BENCH_STARTS ?? 5);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Seconds until the container's health is `healthy`, probing every 250 ms; throws if it exits or turns unhealthy. */
async function untilHealthy(name: string, t0: number): Promise<number> {
  for (;;) {
    const r = await docker(["inspect", "--format", "{{.State.Status}} {{.State.Health.Status}}", name]);
    const [status, health] = r.out.trim().split(" ");
    if (health === "healthy") return (Date.now() - t0) / 1000;
    if (status !== "running" && status !== "created" && status !== "restarting") throw new Error(`${name} ${status}`);
    if (health === "unhealthy") throw new Error(`${name} turned unhealthy`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

interface Row {
  readonly name: RuntimeName;
  readonly fresh: number[];
  readonly restart: number[];
  readonly startPeriod: number;
}

async function measure(name: RuntimeName): Promise<Row> {
  const d = decl(name);
  const image = await buildSuiteImage(name);
  const env = IMAGE_OPTIONS[name]?.required ?? {};
  // A long start period: the measurement must see the start, however slow, not Docker's verdict.
  const flags = ["--health-interval", "250ms", "--health-retries", "3", "--health-start-period", "600s", ...fleetFlags(d)];
  const fresh: number[] = [];
  const restart: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const c = randomName(`clawlab-bench-${name}`);
    const vol = await createVolume(`clawlab-bench-${name}`);
    let t0 = Date.now();
    await dockerOk(["run", "-d", "--name", c, "-v", `${vol}:${d.stateDir}`, ...flags, ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]), image]);
    fresh.push(await untilHealthy(c, t0));
    t0 = Date.now();
    await dockerOk(["restart", "-t", "30", c]);
    restart.push(await untilHealthy(c, t0));
    await docker(["rm", "-f", c]);
    process.stderr.write(`[startup] ${name} #${i + 1}: fresh ${fresh.at(-1)!.toFixed(1)} s, restart ${restart.at(-1)!.toFixed(1)} s\n`);
  }
  return { name, fresh, restart, startPeriod: d.health.startPeriodSeconds };
}

/** The stand-in image suite in the background, as the load CI puts beside a real runtime. */
function besideSuite(): ChildProcess {
  const child = spawn("npx", ["vitest", "run", "-c", "tests/images/vitest.config.ts"], {
    cwd: REPO,
    env: { ...process.env, CLAWLAB_STANDIN: RUNTIME_NAMES.join(","), CLAWLAB_ARTIFACTS: "" },
    stdio: "ignore",
  });
  return child;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const beside = args.includes("--beside-suite");
  const asked = args.filter((a) => !a.startsWith("--")) as RuntimeName[];
  const names = (asked.length ? asked : RUNTIME_NAMES.filter((n) => artifactKind(n) !== "standin")) as RuntimeName[];
  for (const n of names) if (artifactKind(n) === "standin") throw new Error(`${n}: no real artifact here (set CLAWLAB_ARTIFACTS)`);
  for (const n of names) await buildSuiteImage(n); // builds first, outside the measurement
  const load = beside ? besideSuite() : undefined;
  const rows: Row[] = [];
  try {
    if (load) await new Promise((res) => setTimeout(res, 20_000)); // let the suite get going
    for (const n of names) rows.push(await measure(n));
  } finally {
    await cleanup();
    // The suite cleans up after itself: let it finish rather than leave its containers behind.
    if (load && load.exitCode === null) await new Promise((res) => load.once("exit", res));
  }
  const load1 = os.loadavg()[0]!.toFixed(1);
  console.log(`\nStart to healthy of the real runtimes, ${STARTS} starts each${beside ? ", the stand-in image suite running beside" : ""} (load average at the end ${load1}, ${os.cpus().length} cores)\n`);
  console.log("| runtime | fresh volume median / max | restart median / max | declared start period | max / period |");
  console.log("| --- | --- | --- | --- | --- |");
  for (const r of rows) {
    const worst = Math.max(...r.fresh, ...r.restart);
    console.log(
      `| ${r.name} | ${median(r.fresh).toFixed(1)} / ${Math.max(...r.fresh).toFixed(1)} s | ${median(r.restart).toFixed(1)} / ${Math.max(...r.restart).toFixed(1)} s | ${r.startPeriod} s | ${(worst / r.startPeriod).toFixed(2)} |`,
    );
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
