/**
 * Vitest config of the end-to-end suite on the real Pulumi engine: `npm run test:e2e`.
 * One file, its steps in order; builds and deploys real images, so long timeouts.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.test.ts"],
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
