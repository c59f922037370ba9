#!/usr/bin/env node
// The `clawlab-bridge` command: runs firmware/bridge/main.ts through tsx's CommonJS
// hook (no build step). The container image runs a bundle instead (see Dockerfile).
"use strict";

require("tsx/cjs/api").register();
require("./main.ts");
