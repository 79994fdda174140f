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
          exclude: ["test/**/*.int.test.ts", "test/faults/**", "node_modules/**"],
          testTimeout: 20_000
        }
      },
      {
        test: {
          name: "int",
          include: ["test/**/*.int.test.ts"],
          exclude: ["test/faults/**", "node_modules/**"],
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
      }
    ]
  }
})
