/** Every container runtime's declaration and translator (registry.ts, generated from the folders of runtimes/). */
import { declarations } from "./registry";
import type { RuntimeDeclaration, RuntimeName } from "./types";

export { declarations, translators } from "./registry";

/** A runtime's declaration by name. */
export function declaration(name: RuntimeName): RuntimeDeclaration {
  return declarations.find((d) => d.name === name)!;
}

export * from "./types";
