/**
 * Reading `{ secret = "key" }` values through the Pulumi CLI (`pulumi config get`), for
 * `clawlab env --show-secrets`. The command is built apart from running it, so the exact
 * arguments can be checked; only key names travel on the command line, never values.
 */
import { spawnSync } from "node:child_process";

/** The program and arguments that print one config value of the current (or a named) stack. */
export function configGetCommand(key: string, stack?: string): { file: string; args: string[] } {
  return { file: "pulumi", args: ["config", "get", key, ...(stack === undefined ? [] : ["--stack", stack])] };
}

/** What reading a key produced. */
export type ConfigGetResult =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: "no-cli" | "failed"; readonly detail: string };

/** Runs `pulumi config get` in the current directory (where Pulumi.yaml is found). */
export function pulumiConfigGet(key: string, stack?: string): ConfigGetResult {
  const { file, args } = configGetCommand(key, stack);
  const result = spawnSync(file, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 16 * 1024 * 1024 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === "ENOENT" ? "no-cli" : "failed", detail: result.error.message };
  }
  if (result.status !== 0) {
    const detail = (result.stderr || result.stdout || "").trim().split("\n")[0] || `exit status ${result.status}`;
    return { ok: false, reason: "failed", detail };
  }
  // The CLI ends the value with one newline of its own.
  return { ok: true, value: result.stdout.replace(/\r?\n$/, "") };
}
