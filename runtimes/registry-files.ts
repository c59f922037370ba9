/**
 * The runtime list, generated from the folders of runtimes/: every `runtimes/<name>/`
 * holding a `declaration.ts` is a runtime. `names.ts` carries the names alone (types.ts
 * reads them, with no import of a declaration); `registry.ts` imports each declaration
 * and translator by the names the scaffold gives them (`<camelName>`, `translate<CamelName>`).
 * The list is the fleet's order (deploy, compose, status): a new runtime goes to the end
 * and a removed one leaves, so adding a runtime never reorders the others.
 * Written by `npm run generate` (runtimes/generate.ts) before anything else.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const HEADER = "// generated from the folders of runtimes/ by `npm run generate`; do not edit\n";

/**
 * The runtimes, in fleet order: the names the current names.ts lists whose folder still
 * has a declaration.ts, then the other such folders by name.
 */
export function runtimeFolders(runtimesDir: string): string[] {
  const folders = fs
    .readdirSync(runtimesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && fs.existsSync(path.join(runtimesDir, e.name, "declaration.ts")))
    .map((e) => e.name)
    .sort();
  const namesFile = path.join(runtimesDir, "names.ts");
  const listed = fs.existsSync(namesFile) ? [...fs.readFileSync(namesFile, "utf8").matchAll(/^ {2}"([a-z0-9-]+)",$/gm)].map((m) => m[1]!) : [];
  const kept = listed.filter((n) => folders.includes(n));
  return [...kept, ...folders.filter((n) => !kept.includes(n))];
}

/** `my-claw` → `myClaw`: the declaration's exported name. */
export function declarationIdent(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `my-claw` → `translateMyClaw`: the translator's exported name. */
export function translatorIdent(name: string): string {
  const ident = declarationIdent(name);
  return `translate${ident[0]!.toUpperCase()}${ident.slice(1)}`;
}

/** The contents of runtimes/names.ts and runtimes/registry.ts for these runtimes. */
export function registryFiles(names: readonly string[]): Record<"names.ts" | "registry.ts", string> {
  const key = (n: string) => (n.includes("-") ? JSON.stringify(n) : n);
  const imports = names.flatMap((n) => [
    `import { ${declarationIdent(n)} } from "./${n}/declaration";`,
    `import { ${translatorIdent(n)} } from "./${n}/translate";`,
  ]);
  return {
    "names.ts": `${HEADER}/** The container runtimes ClawLab packages (MimiClaw is firmware, see firmware/). */
export const RUNTIME_NAMES = [
${names.map((n) => `  ${JSON.stringify(n)},`).join("\n")}
] as const;
`,
    "registry.ts": `${HEADER}${imports.join("\n")}
import type { RuntimeDeclaration, RuntimeName, Translator } from "./types";

/** The declarations, in fleet order. */
export const declarations: readonly RuntimeDeclaration[] = [${names.map(declarationIdent).join(", ")}];

/** The translators, by runtime. */
export const translators: Readonly<Record<RuntimeName, Translator>> = {
${names.map((n) => `  ${key(n)}: ${translatorIdent(n)},`).join("\n")}
};
`,
  };
}
