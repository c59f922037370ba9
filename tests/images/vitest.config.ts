/**
 * Vitest config of the real-Docker image tests: `npm run test:images`
 * (vitest run -c tests/images/vitest.config.ts). The global setup starts the engine,
 * makes the base image and builds every runtime's test image once, sequentially;
 * each test file's beforeAll only re-checks that its image is current.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/images/**/*.test.ts"],
    globalSetup: ["tests/images/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 30 * 60_000,
    // Two cores: one runtime file at a time keeps health timings honest.
    fileParallelism: false,
    reporters: ["default"],
  },
});
