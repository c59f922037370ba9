// generated from the folders of runtimes/ by `npm run generate`; do not edit
import { zeroclaw } from "./zeroclaw/declaration";
import { translateZeroclaw } from "./zeroclaw/translate";
import { openclaw } from "./openclaw/declaration";
import { translateOpenclaw } from "./openclaw/translate";
import { picoclaw } from "./picoclaw/declaration";
import { translatePicoclaw } from "./picoclaw/translate";
import { nanoclaw } from "./nanoclaw/declaration";
import { translateNanoclaw } from "./nanoclaw/translate";
import { ironclaw } from "./ironclaw/declaration";
import { translateIronclaw } from "./ironclaw/translate";
import { nullclaw } from "./nullclaw/declaration";
import { translateNullclaw } from "./nullclaw/translate";
import { microclaw } from "./microclaw/declaration";
import { translateMicroclaw } from "./microclaw/translate";
import type { RuntimeDeclaration, RuntimeName, Translator } from "./types";

/** The declarations, in fleet order. */
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
