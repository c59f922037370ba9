import { configDefaults, defineConfig } from "vitest/config";

/**
 * Unit, program (under Pulumi mocks) and firmware tests. The real-Docker image suite has
 * its own config (tests/images/vitest.config.ts: sequential, long timeouts) and runs as
 * `npm run test:images`; `npm test` runs both.
 */
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    exclude: [...configDefaults.exclude, "tests/images/**"],
    testTimeout: 30_000,
  },
});
