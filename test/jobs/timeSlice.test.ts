// The worker's time-sliced scheduler (src/jobs/timeSlice.ts): a fiber that keeps the CPU busy lets
// the event loop poll after each slice, where Effect's default scheduler kept it until the fiber was
// done; and fibers on it still run to the same results (forked children, concurrency, interruption).
import { Effect, Fiber, type Scheduler } from "effect"
import { describe, expect, it } from "vitest"
import { TimeSlicedScheduler, watchLoopLag } from "../../src/jobs/timeSlice.js"
import { waitUntil } from "../support/wait.js"

/** Busy for `ms` of CPU, as a batch step deciding and encoding its items is. */
const spin = (ms: number) => {
  const until = performance.now() + ms
  while (performance.now() < until) {}
}

/**
 * Runs 100 steps of 1 ms of CPU each (yielding between them) and counts how many had run when a
 * callback queued on the event loop at the start got its turn.
 */
const stepsBeforeTheLoopPolls = async (scheduler: Scheduler.Scheduler | undefined) => {
  let steps = 0
  const work = Effect.forEach(
    Array.from({ length: 100 }),
    () =>
      Effect.sync(() => {
        spin(1)
        steps++
      }).pipe(Effect.zipLeft(Effect.yieldNow())),
    { discard: true }
  )
  const polled = new Promise<number>((resolve) => setImmediate(() => resolve(steps)))
  const done = Effect.runPromise(scheduler === undefined ? work : Effect.withScheduler(work, scheduler))
  const [atPoll] = await Promise.all([polled, done])
  return { atPoll, steps }
}

/** Resumes from the event loop's check phase, as a fiber does when its query's answer arrives. */
const afterLoopTurn = Effect.async<void>((resume) => {
  setImmediate(() => resume(Effect.void))
})

describe("the worker's time-sliced scheduler", () => {
  it("lets the event loop poll after a slice of a busy fiber, where Effect's scheduler did not", async () => {
    const sliced = await stepsBeforeTheLoopPolls(new TimeSlicedScheduler(2))
    expect(sliced.steps).toBe(100)
    expect(sliced.atPoll).toBeLessThan(10)
    // What it replaces: every step ran before the loop looked at anything else.
    const plain = await stepsBeforeTheLoopPolls(undefined)
    expect(plain.atPoll).toBe(100)
  })

  it("does not slice without pressure: the fiber keeps the loop as with Effect's scheduler", async () => {
    const calm = await stepsBeforeTheLoopPolls(new TimeSlicedScheduler(2, () => false))
    expect(calm).toEqual({ atPoll: 100, steps: 100 })
  })

  it("is under pressure once the loop has run late, and no longer after the hold time", async () => {
    const lag = watchLoopLag(20, 300)
    try {
      spin(60)
      await waitUntil("pressure after a 60 ms block", () => lag.underPressure())
      await waitUntil("no pressure once the loop keeps time again", () => !lag.underPressure(), 5_000)
    } finally {
      lag.stop()
    }
  })

  it("runs forked and concurrent fibers to the same results, resumed from the loop, interrupted", async () => {
    const scheduler = new TimeSlicedScheduler(1)
    const program = Effect.gen(function* () {
      const squares = yield* Effect.forEach(
        Array.from({ length: 50 }, (_, i) => i),
        // Resumed from the event loop (as after a query) or yielding at once.
        (i) => (i % 2 === 0 ? afterLoopTurn : Effect.yieldNow()).pipe(Effect.as(i * i)),
        { concurrency: 8 }
      )
      const forked = yield* Effect.fork(Effect.sync(() => spin(3)).pipe(Effect.as("forked")))
      const never = yield* Effect.fork(Effect.never)
      yield* Fiber.interrupt(never)
      return { squares, forked: yield* Fiber.join(forked) }
    })
    const result = await Effect.runPromise(Effect.withScheduler(program, scheduler))
    expect(result.squares).toEqual(Array.from({ length: 50 }, (_, i) => i * i))
    expect(result.forked).toBe("forked")
  })
})
