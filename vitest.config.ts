import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    // Two cores: one PostgreSQL, two test files at a time.
    maxWorkers: 2,
    minWorkers: 1,
    pool: "forks",
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/**/*.int.test.ts", "test/faults/**", "test/e2e/**", "node_modules/**"],
          testTimeout: 20_000
        }
      },
      {
        test: {
          name: "int",
          include: ["test/**/*.int.test.ts"],
          exclude: ["test/faults/**", "test/e2e/**", "node_modules/**"],
          globalSetup: ["test/support/globalSetup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000
        }
      },
      {
        // Fault injection (kill -9, terminated backends, a restarted server): slow, run by `npm run
        // test:faults` and .ci/run, not by `npm test`.
        test: {
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          globalSetup: ["test/support/globalSetup.ts"],
          testTimeout: 120_000,
          hookTimeout: 60_000
        }
      },
      {
        // The web console in a real browser (the system's Chromium, driven by playwright-core): one
        // service and one browser for the file. Run by `npm run test:e2e` and .ci/run, not `npm test`:
        // a fresh machine has no Chromium.
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/globalSetup.ts"],
          testTimeout: 60_000,
          hookTimeout: 240_000
        }
      }
    ]
  }
})
