import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
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
          hookTimeout: 60_000,
          // Two cores: one PostgreSQL, a couple of test files at a time.
          poolOptions: { forks: { maxForks: 2, minForks: 1 } },
          pool: "forks"
        }
      }
    ]
  }
})
