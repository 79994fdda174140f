// Jobs of one graphile-worker pool share the pool's AbortSignal: one listener for all of them (Node
// warns past 10, and 16 run at once), and an abort still interrupts every running job.
import { getEventListeners } from "node:events"
import { Effect, Runtime } from "effect"
import { describe, expect, it } from "vitest"
import { runJob } from "../../src/jobs/task.js"
import { waitUntil } from "../support/wait.js"

describe("runJob", () => {
  it("adds one abort listener per pool signal however many jobs run, and interrupts them all on abort", async () => {
    const controller = new AbortController()
    const interrupted: Array<number> = []
    let started = 0
    const jobs = Array.from({ length: 20 }, (_, i) =>
      runJob(
        Runtime.defaultRuntime,
        Effect.sync(() => started++).pipe(
          Effect.zipRight(Effect.never),
          Effect.onInterrupt(() => Effect.sync(() => interrupted.push(i)))
        ),
        controller.signal
      ).then(
        () => "resolved",
        (error: unknown) => String(error)
      )
    )
    await waitUntil("all 20 jobs running", () => started === 20)
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1)
    controller.abort()
    const outcomes = await Promise.all(jobs)
    expect(interrupted.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(outcomes.every((o) => o.includes("interrupted"))).toBe(true)
  })

  it("resolves with the job's value and rejects with its failure, leaving no listener work behind", async () => {
    const controller = new AbortController()
    await expect(runJob(Runtime.defaultRuntime, Effect.succeed(7), controller.signal)).resolves.toBe(7)
    await expect(runJob(Runtime.defaultRuntime, Effect.fail("boom"), controller.signal)).rejects.toThrow("boom")
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1)
  })
})
