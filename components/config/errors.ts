/** One problem in the canonical config, at a dotted path such as `runtimes.picoclaw.port`. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Every problem found in a config, reported at once. The program throws it before it
 * registers any resource, so a bad config deploys nothing.
 */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `${source}: ${issues.length} problem${issues.length === 1 ? "" : "s"}\n` +
        issues.map((i) => `  ${i.path ? `${i.path}: ` : ""}${i.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Joins a path of keys and indices the way the issues print it. */
export function joinPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}
