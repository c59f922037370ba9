#!/usr/bin/env node
// The `clawlab` command. It runs cli/main.ts through tsx's CommonJS hook, so the package
// needs no build step: `npm ci` and it works.
"use strict";

require("tsx/cjs/api").register();

// `clawlab check | head` closes the pipe early: that is not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

const { run } = require("./main.ts");
// run() is async (status probes the network); the exit code is set once it settles.
run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
