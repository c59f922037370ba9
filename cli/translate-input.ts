/**
 * A checked runtime → its translator's input, with secrets of any type `S`: the canonical
 * half is the program's own (runtimeSettings); generated tokens and IronClaw's database
 * mirror what ClawRuntime and IronClaw add — tests/unit/cli.test.ts compares the result
 * with the program's container env under mocks, so a drift fails there.
 */
import { runtimeSettings } from "../components/config/runtime-settings";
import type { RuntimeSpec } from "../components/config/validate";
import type { SecretRef } from "../components/config/schema";
import type { TranslateInput } from "../runtimes/types";

/** Stand-ins for the secrets of one runtime. */
export interface SecretStandIns<S> {
  /** A `{ secret }`/`{ env }` reference of the config, by the config path that holds it. */
  ref(path: string, ref: SecretRef): S;
  /** A token the stack generates (`tokens.<runtime>.<name>` in the stack outputs). */
  generated(runtime: string, name: string): S;
  /** IronClaw's managed PostgreSQL sidecar URL, which embeds a generated password. */
  sidecarDatabaseUrl(runtime: string): S;
}

/** The translator input of one runtime, as the program builds it. */
export function translateInput<S>(runtime: RuntimeSpec, secrets: SecretStandIns<S>): TranslateInput<S> {
  const generated = Object.fromEntries(
    runtime.declaration.generatedSecrets.map((secret) => [secret.name, secrets.generated(runtime.name, secret.name)]),
  );
  return {
    ...runtimeSettings(runtime, (path, ref) => secrets.ref(path, ref)),
    generated,
    // Only IronClaw has a database: an external one, or the managed sidecar.
    database:
      runtime.name !== "ironclaw"
        ? undefined
        : runtime.databaseUrl
          ? { url: secrets.ref(`runtimes.${runtime.name}.database_url`, runtime.databaseUrl), sidecar: false }
          : { url: secrets.sidecarDatabaseUrl(runtime.name), sidecar: true },
  };
}
