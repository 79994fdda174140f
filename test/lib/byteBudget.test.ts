// The byte budget (ingest's in-flight bodies, the worker's job payloads): room is granted first come, first served; a request that gets none in
// time is refused (false) instead of buffered; releasing room wakes the waiters it now fits.
import { describe, expect, it } from "vitest"
import { makeByteBudget } from "../../src/lib/byteBudget.js"

const MiB = 1024 * 1024

describe("makeByteBudget", () => {
  it("grants at once while there is room, then makes the next request wait for a release", async () => {
    const budget = makeByteBudget(4 * MiB)
    expect(await budget.acquire(3 * MiB, 1_000)).toBe(true)
    let granted = false
    const waiting = budget.acquire(2 * MiB, 1_000).then((ok) => (granted = ok))
    // Not granted at once (it waits for a release, not for its 1 s timeout to pass).
    await new Promise((r) => setImmediate(r))
    expect(granted).toBe(false)
    budget.release(3 * MiB)
    await waiting
    expect(granted).toBe(true)
    expect(budget.inUse()).toBe(2 * MiB)
  })

  it("answers false when no room comes in time, and holds nothing for that request", async () => {
    const budget = makeByteBudget(1 * MiB)
    expect(await budget.acquire(1 * MiB, 1_000)).toBe(true)
    expect(await budget.acquire(1_000, 30)).toBe(false)
    budget.release(1 * MiB)
    expect(budget.inUse()).toBe(0)
  })

  it("serves waiters in order: a small request does not overtake a large one at the head", async () => {
    const budget = makeByteBudget(4 * MiB)
    expect(await budget.acquire(3 * MiB, 1_000)).toBe(true)
    const order: Array<string> = []
    const large = budget.acquire(4 * MiB, 1_000).then(() => order.push("large"))
    const small = budget.acquire(1_000, 1_000).then(() => order.push("small"))
    budget.release(3 * MiB)
    await large
    budget.release(4 * MiB)
    await small
    expect(order).toEqual(["large", "small"])
  })

  it("caps a request at the capacity, so a body larger than the budget still gets through alone", async () => {
    const budget = makeByteBudget(1 * MiB)
    expect(await budget.acquire(5 * MiB, 1_000)).toBe(true)
    expect(budget.inUse()).toBe(1 * MiB)
    budget.release(5 * MiB)
    expect(budget.inUse()).toBe(0)
  })

  it("an aborted wait leaves the queue holding nothing, and the waiters behind it move up", async () => {
    const budget = makeByteBudget(2 * MiB)
    expect(await budget.acquire(2 * MiB, 1_000)).toBe(true)
    const controller = new AbortController()
    const large = budget.acquire(2 * MiB, Number.POSITIVE_INFINITY, controller.signal)
    const small = budget.acquire(1 * MiB, Number.POSITIVE_INFINITY)
    controller.abort()
    expect(await large).toBe(false)
    budget.release(2 * MiB)
    expect(await small).toBe(true)
    expect(budget.inUse()).toBe(1 * MiB)
    expect(budget.peak()).toBe(2 * MiB)
  })
})
