import { configDefaults, defineConfig } from "vitest/config";

/**
 * Unit, program (under Pulumi mocks) and firmware tests. The real-Docker image suite has
 * its own config (tests/images/vitest.config.ts: sequential, long timeouts) and runs as
 * `npm run test:images`; `npm test` runs both. The suite on the real Pulumi engine is
 * `npm run test:e2e` (tests/e2e/), apart: it needs the docker provider plugin, which CI here
 * cannot build.
 */
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    exclude: [...configDefaults.exclude, "tests/images/**", "tests/e2e/**"],
    testTimeout: 30_000,
  },
});
