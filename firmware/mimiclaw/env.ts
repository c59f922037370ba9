/**
 * Reading settings from the environment: every problem is collected and
 * reported once, each naming its variable; secrets may come from `VAR_FILE`.
 */
import fs from "node:fs";

export class EnvErrors extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

export class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** A plain value; `undefined` when unset or empty. */
  optional(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === "" ? undefined : v;
  }

  required(name: string, hint: string): string {
    const v = this.optional(name);
    if (v === undefined) this.problems.push(`${name} is required: ${hint}`);
    return v ?? "";
  }

  /**
   * A secret from `NAME` or from the file named by `NAME_FILE` (never both);
   * one trailing newline of the file is dropped.
   */
  secret(name: string, opts: { required: boolean; allowEmpty?: boolean }): string | undefined {
    const direct = this.env[name];
    const file = this.optional(`${name}_FILE`);
    if (direct !== undefined && direct !== "" && file !== undefined) {
      this.problems.push(`${name} and ${name}_FILE are both set: set only one`);
      return undefined;
    }
    let value: string | undefined = direct;
    if (file !== undefined) {
      try {
        value = fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
      } catch (e) {
        this.problems.push(`${name}_FILE=${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        return undefined;
      }
    }
    if (value === undefined || (value === "" && !opts.allowEmpty)) {
      if (opts.required) this.problems.push(`${name} (or ${name}_FILE) is required`);
      return opts.allowEmpty && value === "" ? "" : undefined;
    }
    return value;
  }

  /** An integer within [min, max], with a default. */
  int(name: string, dflt: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return dflt;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      this.problems.push(`${name}=${raw} is not an integer from ${min} to ${max}`);
      return dflt;
    }
    return Number(raw);
  }

  /** One of a fixed set of words, with a default. */
  oneOf<T extends string>(name: string, values: readonly T[], dflt: T): T {
    const raw = this.optional(name);
    if (raw === undefined) return dflt;
    if (!(values as readonly string[]).includes(raw)) {
      this.problems.push(`${name}=${raw} must be one of: ${values.join(", ")}`);
      return dflt;
    }
    return raw as T;
  }

  /** Throws one error listing every problem, if any. */
  done(): void {
    if (this.problems.length > 0) throw new EnvErrors(this.problems);
  }
}

/** Runs a CLI main: prints EnvErrors / errors on stderr and sets the exit code. */
export async function runMain(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (e instanceof EnvErrors) {
      process.stderr.write(`${name}: invalid settings:\n${e.problems.map((p) => `  - ${p}`).join("\n")}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`${name}: ${(e as Error).message}\n`);
      process.exitCode = 1;
    }
  }
}
