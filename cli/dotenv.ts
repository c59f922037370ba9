/**
 * Dotenv files for Docker Compose's `env_file:`. Every value is double-quoted, with `\`,
 * `"`, `$`, LF and CR escaped (the escapes Compose's parser undoes), so any string reads
 * back as itself and can never end the value, start a variable or interpolate one.
 * (`docker run --env-file` takes values verbatim, quotes included: not for it.)
 */
import { visible } from "./text";

/** One variable, with the comment lines printed above it. */
export interface DotenvEntry {
  readonly name: string;
  /** Undefined: the variable is left unset, printed as a commented-out `# NAME=` slot. */
  readonly value: string | undefined;
  readonly comments?: readonly string[];
}

/** The names a container environment can carry and every dotenv parser accepts. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", '"': '\\"', $: "\\$", "\n": "\\n", "\r": "\\r" };

/**
 * A value as a double-quoted dotenv string.
 * @throws Error for a NUL character, which no environment variable can hold
 */
export function quoteValue(value: string): string {
  if (value.includes("\0")) throw new Error("a value holds a NUL character, which an environment variable cannot carry");
  return `"${value.replace(/[\\"$\n\r]/g, (c) => ESCAPES[c]!)}"`;
}

/** A comment line; control characters in the text are made visible so it stays one line. */
export function commentLine(text: string): string {
  return `# ${visible(text)}`;
}

/**
 * The whole file: header comments, then the variables sorted by name (the order the
 * component hands them to the container), each after its own comments.
 * @throws Error for a name that is not an environment variable name
 */
export function renderDotenv(header: readonly string[], entries: readonly DotenvEntry[]): string {
  const lines = header.map(commentLine);
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of sorted) {
    if (!NAME.test(entry.name)) throw new Error(`"${visible(entry.name)}" is not an environment variable name`);
    for (const comment of entry.comments ?? []) lines.push(commentLine(comment));
    lines.push(entry.value === undefined ? `# ${entry.name}=` : `${entry.name}=${quoteValue(entry.value)}`);
  }
  return `${lines.join("\n")}\n`;
}
