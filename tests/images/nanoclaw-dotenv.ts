/**
 * NanoClaw's .env reader, re-implemented from its rules (qwibitai/nanoclaw v2.0.64
 * src/env.ts readEnvFile, checked against the source; /tmp/research/nanoclaw.md), so the
 * tests read the rendered file exactly as NanoClaw and its channel adapters do:
 *   - the file is split at "\n"; each line is trimmed (JS String.prototype.trim: CR,
 *     spaces, tabs and the other Unicode white space at both ends);
 *   - empty lines and lines starting with "#" are skipped; lines without "=" too;
 *   - key = the text before the FIRST "=", trimmed (`export KEY=v` has key "export KEY");
 *   - value = the text after it, trimmed; when it is at least 2 long and starts AND ends
 *     with the same quote (" or '), exactly one outer pair is removed;
 *   - no escapes, no variable expansion, no inline comments, no multi-line values;
 *   - an empty value (after unquoting) counts as absent; a later non-empty value of the
 *     same key wins.
 * No vitest import, so scripts can use it too.
 */

/** Every key the file sets (NanoClaw asks for a fixed list; here: all), with its value. */
export function readEnvFile(content: string, keys?: readonly string[]): Record<string, string> {
  const wanted = keys ? new Set(keys) : undefined;
  const result: Record<string, string> = {};
  for (const line of content.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) continue;
    const eq = trimmed.indexOf("=");
    if (eq === -1) continue;
    const key = trimmed.slice(0, eq).trim();
    if (wanted && !wanted.has(key)) continue;
    let value = trimmed.slice(eq + 1).trim();
    if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) {
      value = value.slice(1, -1);
    }
    if (value) result[key] = value;
  }
  return result;
}

/**
 * Values the reader can carry when written as KEY="value" (what the image writes), chosen
 * to break every looser writer: quotes at the ends and inside, a value that is itself
 * quoted, blanks at the ends, "#" and "=" and "\n" as text, shell syntax, tabs and
 * Unicode white space inside, non-ASCII. Everything except LF and CR (refused: the reader
 * cannot carry LF, and CR is never meant) and the empty string (= unset).
 */
export const CARRYABLE: readonly string[] = [
  'he said "hi" \\ C:\\path\\n $(id) `id` ${HOME} \'sq\' [injected] key = "x" - item: v # not a comment\t\u00e9 \u65e5\u672c \u{1F600} \u2028end',
  '"',
  "'",
  '""',
  "''",
  '"quoted"',
  "'single'",
  '"mixed\'',
  "  leading and trailing blanks  ",
  " ",
  "\t",
  "\u00a0nbsp\u00a0",
  "\u2028",
  "#starts-with-hash",
  "a=b=c",
  "=",
  "export X=1",
  "\\",
  "\\n\\r\\t\\\"",
  "$",
  "\u{10FFFF}\u00ff",
];
