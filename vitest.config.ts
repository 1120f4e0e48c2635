import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Hermetic runs: a clean environment and config per worker, and a check that no keys leak (see the files).
    globalSetup: ["test/setup/global-setup.ts"],
    setupFiles: ["test/setup/hermetic-environment.ts"],
  },
});
