/**
 * Bridge benchmark (prints numbers; not a timed test):
 *   npx tsx tests/firmware/bridge.bench.ts
 *
 * broker (real mosquitto, auth + ACL) → bridge → simulated device (answers at
 * once) → bridge → broker. Reports round-trip latency (median, p99) of
 * sequential messages and sustained messages per second with many in flight.
 * Loopback only, bounded in count and time.
 * Env: BENCH_LATENCY_N (default 500), BENCH_THROUGHPUT_N (default 5000).
 */
import { Client, startBroker, startRig, topics, until } from "./harness";

const LATENCY_N = Number(process.env.BENCH_LATENCY_N ?? 500);
const THROUGHPUT_N = Number(process.env.BENCH_THROUGHPUT_N ?? 5000);
const OUTSTANDING = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const broker = await startBroker(["bench"]);
  const results: string[] = [];
  try {
    for (const window of [1, 4, 8]) {
      const rig = await startRig(broker, "bench", { workingStatus: false, inboundCapacity: 24 }, { deviceWindow: window, repliesPerMessage: 1 });
      const c = await new Client(broker, "bench", { clientId: `bench-${window}` }).ready();
      await c.subscribe(topics("bench").outbox);
      const t = topics("bench");
      try {
        // Warm-up.
        for (let i = 0; i < 20; i++) await c.publish(t.inbox, { content: `w${i}` });
        await until(() => c.on(t.outbox).length >= 20, 10_000, "warm-up");
        c.got.length = 0;

        // Latency: one message at a time.
        const lat: number[] = [];
        for (let i = 0; i < LATENCY_N; i++) {
          // Resolved by the reply itself (polling would add its own interval to the numbers).
          const reply = new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no reply to l${i} within 10 s`)), 10_000);
            const onMessage = (_topic: string, payload: Buffer) => {
              if ((JSON.parse(payload.toString()) as { content: string }).content !== `echo: l${i}`) return;
              clearTimeout(timer);
              c.mqtt.off("message", onMessage);
              resolve();
            };
            c.mqtt.on("message", onMessage);
          });
          const start = process.hrtime.bigint();
          await c.publish(t.inbox, { content: `l${i}` });
          await reply;
          lat.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
        lat.sort((a, b) => a - b);
        c.got.length = 0;

        // Sustained throughput: a closed loop keeping OUTSTANDING messages in flight
        // (below the bridge's queue limit, so nothing is refused).
        const start = process.hrtime.bigint();
        let sent = 0;
        const pending: Promise<void>[] = [];
        while (sent < THROUGHPUT_N) {
          while (sent < THROUGHPUT_N && sent - c.on(t.outbox).length < OUTSTANDING) {
            pending.push(c.publish(t.inbox, { content: `t${sent++}` }));
          }
          await new Promise((r) => setImmediate(r));
        }
        await Promise.all(pending);
        await until(() => c.on(t.outbox).length >= THROUGHPUT_N, 120_000, "all replies");
        const secs = Number(process.hrtime.bigint() - start) / 1e9;
        const lost = rig.sim.dropped.length;
        results.push(
          `window ${window}: latency median ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms (n=${LATENCY_N}); ` +
            `throughput ${(THROUGHPUT_N / secs).toFixed(0)} msgs/s (n=${THROUGHPUT_N}, ${OUTSTANDING} outstanding, ${secs.toFixed(2)} s); dropped by device: ${lost}`,
        );
      } finally {
        await c.close();
        await rig.stop();
      }
    }
  } finally {
    await broker.close();
  }
  console.log(`bridge round trip, broker → bridge → simulated device → bridge → broker (${process.version}, loopback)`);
  for (const r of results) console.log(`  ${r}`);
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
