/**
 * clawlab-bridge: relays clawlab/devices/<id>/inbox to a MimiClaw device's
 * WebSocket and its answers to .../outbox. Settings: BRIDGE_* environment
 * variables (firmware/README.md). Stops at once, naming the variable, when a
 * setting is missing or wrong; SIGTERM/SIGINT stop it gracefully.
 */
import { EnvErrors } from "../mimiclaw/env";
import { Bridge } from "./bridge";
import { bridgeConfigFromEnv } from "./config";

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = bridgeConfigFromEnv();
  } catch (e) {
    if (e instanceof EnvErrors) {
      process.stderr.write(`clawlab-bridge: invalid settings:\n${e.problems.map((p) => `  - ${p}`).join("\n")}\n`);
      process.exit(2);
    }
    throw e;
  }
  // The password stays in memory only.
  delete process.env.BRIDGE_MQTT_PASSWORD;
  const bridge = new Bridge(cfg);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`clawlab-bridge: ${signal}, stopping\n`);
    bridge.stop().then(
      () => process.exit(0),
      (e: Error) => {
        process.stderr.write(`clawlab-bridge: stop failed: ${e.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  await bridge.start();
}

main().catch((e: Error) => {
  process.stderr.write(`clawlab-bridge: ${e.message}\n`);
  process.exit(1);
});
