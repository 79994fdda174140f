// The worker's admission (src/jobs/admission.ts): while webhooks arrive, at most N jobs of each task
// run at once and the others wait their turn, in order; without webhooks, or once they stop, every
// job runs; a cancelled waiter holds nothing.
import { ConfigProvider, Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { makeAdmission, webhooksWaiting } from "../../src/jobs/admission.js"
import { WorkerConfig } from "../../src/jobs/Worker.js"
import { webhookActivity } from "../../src/lib/webhookActivity.js"
import { waitUntil } from "../support/wait.js"

const never = () => () => {}

describe("the worker's admission while webhooks arrive", () => {
  it("runs every job when no webhook arrives", async () => {
    const admission = makeAdmission(2, () => false)
    const leaves = await Promise.all(Array.from({ length: 5 }, () => admission.enter("normalize-batch", never)))
    expect(admission.running("normalize-batch")).toBe(5)
    for (const leave of leaves) leave!()
    expect(admission.running("normalize-batch")).toBe(0)
  })

  it("runs at most N jobs of a task while busy, the next in order as one ends, and other tasks apart", async () => {
    const admission = makeAdmission(2, () => true)
    const order: Array<number> = []
    const entered = Array.from({ length: 4 }, (_, i) =>
      admission.enter("dispatch-batch", never).then((leave) => {
        order.push(i)
        return leave!
      })
    )
    await waitUntil("two admitted", () => order.length === 2)
    expect(admission.running("dispatch-batch")).toBe(2)
    // Another task is not held back by this one's jobs.
    const other = await admission.enter("normalize-batch", never)
    expect(admission.running("normalize-batch")).toBe(1)
    other!()
    const first = await entered[0]!
    first()
    await waitUntil("the third admitted", () => order.length === 3)
    expect(order).toEqual([0, 1, 2])
    expect(admission.running("dispatch-batch")).toBe(2)
    ;(await entered[1]!)()
    await waitUntil("the fourth admitted", () => order.length === 4)
    ;(await entered[2]!)()
    ;(await entered[3]!)()
    expect(admission.running("dispatch-batch")).toBe(0)
  })

  it("lets the waiting jobs run once the webhooks stop", async () => {
    let busy = true
    const admission = makeAdmission(1, () => busy)
    const first = await admission.enter("normalize-batch", never)
    let second: (() => void) | undefined
    void admission.enter("normalize-batch", never).then((leave) => {
      second = leave
    })
    busy = false
    await waitUntil("the second admitted without the first ending", () => second !== undefined)
    expect(admission.running("normalize-batch")).toBe(2)
    first!()
    second!()
  })

  it("gives a cancelled waiter nothing and counts it nowhere", async () => {
    const admission = makeAdmission(1, () => true)
    const first = await admission.enter("t", never)
    let cancel: (() => void) | undefined
    const waiting = admission.enter("t", (c) => {
      cancel = c
      return () => {
        cancel = undefined
      }
    })
    cancel!()
    expect(await waiting).toBeUndefined()
    first!()
    expect(admission.running("t")).toBe(0)
    // The slot is free for the next one at once.
    const next = await admission.enter("t", never)
    expect(admission.running("t")).toBe(1)
    next!()
  })

  it("never limits with 0", async () => {
    const admission = makeAdmission(0, () => true)
    await Promise.all(Array.from({ length: 3 }, () => admission.enter("t", never)))
    expect(admission.running("t")).toBe(3)
  })

  it("counts as busy only while webhooks arrive and the event loop runs late", async () => {
    const waiting = webhooksWaiting()
    webhookActivity.mark()
    // Webhooks, but the loop on time: steady traffic the process keeps up with does not limit.
    expect(waiting()).toBe(false)
    const until = performance.now() + 60
    while (performance.now() < until) {}
    await waitUntil("busy once the loop was late", () => {
      webhookActivity.mark()
      return waiting()
    })
  })

  it("limits to 4 jobs per task by default; WORKER_CONCURRENCY_WHILE_RECEIVING sets it, 0 turns it off", () => {
    const read = (env: Record<string, string>) =>
      Effect.runSync(
        Effect.either(WorkerConfig).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
        )
      )
    const whileReceiving = (env: Record<string, string>) => Either.map(read(env), (c) => c.whileReceiving)
    expect(whileReceiving({})).toEqual(Either.right(4))
    expect(whileReceiving({ WORKER_CONCURRENCY_WHILE_RECEIVING: "0" })).toEqual(Either.right(0))
    expect(whileReceiving({ WORKER_CONCURRENCY_WHILE_RECEIVING: "2" })).toEqual(Either.right(2))
    const refused = read({ WORKER_CONCURRENCY_WHILE_RECEIVING: "-1" })
    expect(Either.isLeft(refused) && String(refused.left)).toContain("must be 0 (no limit) or more")
  })
})
