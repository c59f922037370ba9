/**
 * Writes the generated files: first the runtime list (registry-files.ts: names.ts and
 * registry.ts, from the folders of runtimes/), then each runtime's contract files and
 * Dockerfile (contract-files.ts, from `runtimes/<name>/declaration.ts` and
 * `Dockerfile.build`). `npm run generate` writes them; `--check` only reports stale ones
 * and exits 1.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { contractFiles } from "./contract-files";
import { BUILD_FRAGMENT } from "./dockerfile";
import { registryFiles, runtimeFolders } from "./registry-files";

const check = process.argv.includes("--check");
let stale = 0;

/** Writes (or, with --check, reports) one generated file. */
function put(rel: string, content: string): void {
  const target = path.join(__dirname, rel);
  const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
  if (current === content) return;
  stale++;
  if (check) console.error(`stale: runtimes/${rel}`);
  else fs.writeFileSync(target, content);
}

for (const [file, content] of Object.entries(registryFiles(runtimeFolders(__dirname)))) put(file, content);
// Loaded only now, so that a runtime the list just gained is generated in this run too.
const { declarations } = require("./registry") as typeof import("./registry");
for (const decl of declarations) {
  const fragment = fs.readFileSync(path.join(__dirname, decl.name, BUILD_FRAGMENT), "utf8");
  for (const [file, content] of Object.entries(contractFiles(decl, fragment))) put(path.join(decl.name, file), content);
}
if (check && stale > 0) {
  console.error(`${stale} generated file(s) out of date: run npm run generate`);
  process.exit(1);
}
if (!check) console.log(`generated files: ${stale} updated`);
