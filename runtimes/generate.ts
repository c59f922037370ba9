/**
 * Writes each runtime's generated files (see contract-files.ts): the contract files and
 * the Dockerfile, from `runtimes/<name>/declaration.ts` and `runtimes/<name>/Dockerfile.build`.
 * `npm run generate` writes them; `--check` only reports stale ones and exits 1.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { declarations } from ".";
import { contractFiles } from "./contract-files";
import { BUILD_FRAGMENT } from "./dockerfile";

const check = process.argv.includes("--check");
let stale = 0;
for (const decl of declarations) {
  const fragment = fs.readFileSync(path.join(__dirname, decl.name, BUILD_FRAGMENT), "utf8");
  for (const [file, content] of Object.entries(contractFiles(decl, fragment))) {
    const target = path.join(__dirname, decl.name, file);
    const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
    if (current === content) continue;
    stale++;
    if (check) console.error(`stale: runtimes/${decl.name}/${file}`);
    else fs.writeFileSync(target, content);
  }
}
if (check && stale > 0) {
  console.error(`${stale} generated file(s) out of date: run npm run generate`);
  process.exit(1);
}
if (!check) console.log(`generated files: ${stale} updated`);
