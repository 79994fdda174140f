// The local queue patch (jobs/pool.ts): graphile-worker 0.17.3 refuses to background the return of its
// jobs once released, leaving that promise unobserved (its failure killed the process); patched, the
// return is tracked and its failure reaches the queue's own error handling.
import { describe, expect, it } from "vitest"
import { trackReturnOnRelease } from "../../src/jobs/pool.js"
import { waitUntil } from "../support/wait.js"

const fakeQueue = () => {
  const q = {
    mode: "WAITING",
    backgroundCount: 0,
    done: [] as Array<string>,
    background(promise: Promise<unknown>) {
      if (q.mode === "RELEASED" && q.backgroundCount === 0)
        throw new Error("Cannot background something when the queue is already released")
      q.backgroundCount++
      promise.then(q.decreaseBackgroundCount, q.decreaseBackgroundCountWithError)
    },
    decreaseBackgroundCount: () => {
      q.backgroundCount--
      q.done.push("ok")
    },
    decreaseBackgroundCountWithError: (error: unknown) => {
      q.backgroundCount--
      q.done.push(`error: ${String(error)}`)
    }
  }
  return q
}

describe("trackReturnOnRelease", () => {
  it("tracks work backgrounded while releasing, so a failed return is handled instead of unobserved", async () => {
    const q = fakeQueue()
    trackReturnOnRelease(q)
    q.mode = "RELEASED"
    const failed = Promise.reject(new Error("Connection terminated unexpectedly"))
    expect(() => q.background(failed)).not.toThrow()
    expect(q.backgroundCount).toBe(1)
    await failed.catch(() => undefined)
    await waitUntil("the failed return handled", () => q.done.length === 1)
    expect(q.done).toEqual(["error: Error: Connection terminated unexpectedly"])
    expect(q.backgroundCount).toBe(0)
  })

  it("leaves every other case to the original", async () => {
    const q = fakeQueue()
    trackReturnOnRelease(q)
    q.background(Promise.resolve())
    q.background(Promise.resolve())
    expect(q.backgroundCount).toBe(2)
    await waitUntil("both returns handled", () => q.done.length === 2)
    expect(q.done).toEqual(["ok", "ok"])
  })
})
