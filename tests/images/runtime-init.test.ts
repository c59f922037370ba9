/**
 * `clawlab runtime init` on a real engine. The acceptance: a new runtime scaffolded with
 * `clawlab runtime init` builds and passes the image checks with its stand-in. A temp copy
 * of the repository's runtimes/ (plus tests/images/options.ts, which init registers the
 * runtime in) gets `clawlab runtime init demo` from the real CLI, as a subprocess; then the
 * generic suite (runtime-suite.ts) builds the new image from that copy and checks it like
 * any runtime's.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll } from "vitest";
import type { RuntimeDeclaration } from "../../runtimes/types";
import { REPO, RUNTIMES_DIR } from "./harness";
import { describeRuntimeImage } from "./runtime-suite";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "clawlab-runtime-init-"));
// Not the compiled stand-in: the harness compiles one into the copy, as into the repository.
const out = path.join(RUNTIMES_DIR, "shared", "standin", "out");
fs.cpSync(RUNTIMES_DIR, path.join(root, "runtimes"), { recursive: true, filter: (src) => src !== out });
fs.mkdirSync(path.join(root, "tests", "images"), { recursive: true });
fs.copyFileSync(path.join(REPO, "tests", "images", "options.ts"), path.join(root, "tests", "images", "options.ts"));
execFileSync(process.execPath, [path.join(REPO, "cli", "clawlab.js"), "runtime", "init", "demo", "--root", root], { stdio: "pipe" });

// The scaffolded declaration, as the copy's own code exports it (loaded with tsx, like the CLI
// loads code: the suite needs it now, while vitest collects the tests).
const tsx = createRequire(__filename)("tsx/cjs/api") as { require: (id: string, from: string) => unknown };
const { demo } = tsx.require(path.join(root, "runtimes", "demo", "declaration.ts"), __filename) as { demo: RuntimeDeclaration };

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describeRuntimeImage(demo, { runtimesDir: path.join(root, "runtimes"), tag: "clawlab-test/runtime-init-demo:latest" });
