import { defineConfig } from "vitest/config"

/** The integration files' settings (one PostgreSQL per run); `suite` adds the unit files to them. */
const integration = {
  exclude: ["test/faults/**", "test/e2e/**", "node_modules/**"],
  globalSetup: ["test/support/tmpRoot.ts", "test/support/globalSetup.ts"],
  setupFiles: ["test/support/setup.ts"],
  testTimeout: 60_000,
  hookTimeout: 60_000
}

export default defineConfig({
  test: {
    // Two cores: one PostgreSQL, two test files at a time (3 was no faster: 189-224 s against 198 s
    // for `npm test`, each process importing the app again). As many kept as allowed: with fewer,
    // tinypool ends a worker the moment it idles, and one ended while vitest hands it the next file
    // fails the run with "Terminating worker thread" (seen with 3 allowed and 1 kept, each time).
    maxWorkers: 2,
    minWorkers: 2,
    pool: "forks",
    // One module cache per worker process for all its files (unit, int): a fresh process per file
    // spent most of the suite importing effect and the app again (unit: 282 s isolated, 73 s not, same
    // load). Tests must not lean on module state another file left (counters: count deltas). This is
    // the pool's setting, shared by every project of a run (a project's own `isolate` does not reach
    // it): test:faults and test:e2e pass --isolate.
    poolOptions: { forks: { isolate: false } },
    // Output (logs) of a passing test is dropped; a failing test's is printed with its failure.
    silent: "passed-only",
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/**/*.int.test.ts", "test/faults/**", "test/e2e/**", "node_modules/**"],
          globalSetup: ["test/support/tmpRoot.ts"],
          setupFiles: ["test/support/setup.ts"],
          testTimeout: 20_000
        }
      },
      { test: { ...integration, name: "int", include: ["test/**/*.int.test.ts"] } },
      {
        // `npm test` (bin/test.js): the unit and integration files as one project, so both share the
        // two worker processes from start to end. Two projects run one after the other, the workers
        // ended and started again between them (vitest isolates projects), with one worker idle
        // while the other finishes the first project's last file.
        test: { ...integration, name: "suite", include: ["test/**/*.test.ts"] }
      },
      {
        // Fault injection (kill -9, terminated backends, a restarted server): slow, run by `npm run
        // test:faults` and .ci/run, not by `npm test`.
        test: {
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          globalSetup: ["test/support/tmpRoot.ts", "test/support/globalSetup.ts"],
          setupFiles: ["test/support/setup.ts"],
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
          globalSetup: ["test/support/tmpRoot.ts", "test/support/globalSetup.ts"],
          setupFiles: ["test/support/setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 240_000
        }
      }
    ]
  }
})
