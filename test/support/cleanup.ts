// Cleanup for what a helper starts or creates. vitest drops an afterAll registered while a beforeAll
// runs (it never runs), and helpers are called from both, so they register here: inside a test the
// cleanup runs when the test ends, anywhere else after the file's tests (test/support/setup.ts), last
// registered first.
import { onTestFinished } from "vitest"

const pending: Array<() => unknown> = []

/** Runs `cleanup` when the current test ends, or after the file's tests when called outside a test. */
export const onCleanup = (cleanup: () => unknown): void => {
  try {
    onTestFinished(async () => {
      await cleanup()
    })
  } catch {
    // Not inside a test (vitest says so by throwing): at the top of the file or in a hook.
    pending.push(cleanup)
  }
}

/** Runs the file's pending cleanups, each even if another fails; fails with the first failure. */
export const runCleanups = async (): Promise<void> => {
  const failures: Array<unknown> = []
  for (const cleanup of pending.splice(0).reverse()) {
    try {
      await cleanup()
    } catch (error) {
      failures.push(error)
    }
  }
  if (failures.length > 0) throw failures[0]
}
