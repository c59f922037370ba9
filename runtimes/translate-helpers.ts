/** Small helpers the translators share. */

/**
 * A canonical table name as a runtime-side alias: `team-telegram` → `team_telegram`
 * (runtime aliases allow `[a-z0-9_]`; canonical names never hold `_` or `--`, so this
 * cannot make two names collide).
 */
export function alias(name: string): string {
  return name.replace(/-/g, "_");
}
