/** Reading `clawlab.toml` from disk into a checked fleet spec. */
import * as fs from "node:fs";
import { parse, TomlError } from "smol-toml";
import { ConfigError } from "./errors";
import { type FleetSpec, validateCanonical } from "./validate";

/** Parses TOML text; a syntax error becomes a ConfigError with its line and column. */
export function parseCanonical(text: string, source: string): FleetSpec {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      throw new ConfigError(source, [
        { path: "", message: `TOML syntax error at line ${error.line}, column ${error.column}: ${firstLine(error.message)}` },
      ]);
    }
    throw error;
  }
  return validateCanonical(document, source);
}

/** Reads and checks a canonical config file. */
export function loadCanonical(file: string): FleetSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(error);
    throw new ConfigError(file, [{ path: "", message: reason }]);
  }
  return parseCanonical(text, file);
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
