// generated from the folders of runtimes/ by `npm run generate`; do not edit
/** The container runtimes ClawLab packages (MimiClaw is firmware, see firmware/). */
export const RUNTIME_NAMES = [
  "zeroclaw",
  "openclaw",
  "picoclaw",
  "nanoclaw",
  "ironclaw",
  "nullclaw",
  "microclaw",
] as const;
