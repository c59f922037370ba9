/** Every container runtime's declaration and translator: the one list the program reads. */
import { ironclaw } from "./ironclaw/declaration";
import { translateIronclaw } from "./ironclaw/translate";
import { microclaw } from "./microclaw/declaration";
import { translateMicroclaw } from "./microclaw/translate";
import { nanoclaw } from "./nanoclaw/declaration";
import { translateNanoclaw } from "./nanoclaw/translate";
import { nullclaw } from "./nullclaw/declaration";
import { translateNullclaw } from "./nullclaw/translate";
import { openclaw } from "./openclaw/declaration";
import { translateOpenclaw } from "./openclaw/translate";
import { picoclaw } from "./picoclaw/declaration";
import { translatePicoclaw } from "./picoclaw/translate";
import type { RuntimeDeclaration, RuntimeName, Translator } from "./types";
import { zeroclaw } from "./zeroclaw/declaration";
import { translateZeroclaw } from "./zeroclaw/translate";

/** The declarations, in the order the fleet deploys and prints them. */
export const declarations: readonly RuntimeDeclaration[] = [zeroclaw, openclaw, picoclaw, nanoclaw, ironclaw, nullclaw, microclaw];

/** The translators, by runtime. */
export const translators: Readonly<Record<RuntimeName, Translator>> = {
  zeroclaw: translateZeroclaw,
  openclaw: translateOpenclaw,
  picoclaw: translatePicoclaw,
  nanoclaw: translateNanoclaw,
  ironclaw: translateIronclaw,
  nullclaw: translateNullclaw,
  microclaw: translateMicroclaw,
};

/** A runtime's declaration by name. */
export function declaration(name: RuntimeName): RuntimeDeclaration {
  return declarations.find((d) => d.name === name)!;
}

export * from "./types";
