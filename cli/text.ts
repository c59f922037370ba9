/** Plain-text helpers for terminal output: visible control characters and aligned tables. */

/**
 * A string safe to print on a terminal or in a one-line comment: control characters
 * (line breaks, escape sequences) and Unicode line separators shown as `\n`, `\u001b`…,
 * so that a value from the config can never start a new line or drive the terminal.
 */
export function visible(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/**
 * Rows aligned in columns two spaces apart, the header first; trailing blanks trimmed.
 * Cells are printed as given: pass them through `visible` first.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `1 runtime`, `2 runtimes`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
