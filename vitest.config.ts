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
          exclude: ["test/**/*.int.test.ts", "node_modules/**"],
          testTimeout: 20_000
        }
      },
      {
        test: {
          name: "int",
          include: ["test/**/*.int.test.ts"],
          globalSetup: ["test/support/globalSetup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000
        }
      }
    ]
  }
})
