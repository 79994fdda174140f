// The dispatcher's limits with adapters the test controls: the guard around an adapter that never
// answers, a dispatch that finds its target's permits taken (rescheduled at once, never a Timeout),
// and the circuit breaker's single trial after a cooldown.
import { Deferred, Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import type { ChannelAdapter, DispatchInput } from "../../src/dispatch/Channel.js"
import { ChannelError } from "../../src/dispatch/Channel.js"
import { waitUntil } from "../support/wait.js"
import { type Harness, startDispatcher } from "./harness.js"

type Send = ChannelAdapter["send"]
let behaviour: Send = () => Effect.never
const calls: Array<{ orderKey: string; targetId: string; at: number }> = []
const adapter: ChannelAdapter = {
  channel: "postback",
  supports: ["conversion"],
  send: (input: DispatchInput) =>
    Effect.suspend(() => {
      calls.push({ orderKey: input.order.orderKey, targetId: input.target.id, at: Date.now() })
      return behaviour(input)
    })
}
const delivered = (input: DispatchInput) =>
  Effect.succeed({ _tag: "Delivered" as const, dedupKey: input.order.orderKey, alreadyRecorded: false, exchanges: [] })

let h: Harness
beforeAll(async () => {
  h = await startDispatcher(
    `
sources: []
targets:
  - { id: hang, channel: postback, url: "http://127.0.0.1:9/h", timeout: 200ms, onAmbiguous: resend }
  - { id: hang-hold, channel: postback, url: "http://127.0.0.1:9/hh", timeout: 200ms }
  - { id: one, channel: postback, url: "http://127.0.0.1:9/o", concurrency: 1 }
  - { id: later, channel: postback, url: "http://127.0.0.1:9/l", retry: { initialDelay: 1h } }
  - { id: paused, channel: postback, url: "http://127.0.0.1:9/p" }
  - { id: flaky, channel: postback, url: "http://127.0.0.1:9/f", breaker: { failures: 2, cooldown: 300ms } }
rules:
  - { id: r, company: "*", product: "*", partner: "*", target: hang }
`,
    { postback: adapter }
  )
})

describe("the dispatcher's guard", () => {
  it("fails an adapter that never answers as a retryable Timeout after its timeout (+ grace), and schedules a retry", async () => {
    behaviour = () => Effect.never
    const orderKey = await h.plan(1, [{ targetId: "hang", channel: "postback" }])
    await h.run({ orderKey, targetId: "hang", kind: "conversion" })
    expect(await h.types(orderKey)).toEqual([
      "OrderNormalized",
      "DispatchPlanned",
      "DispatchAttemptStarted",
      "DispatchAttempted",
      "DispatchFailed"
    ])
    const [failed] = await h.events(orderKey, "DispatchFailed")
    // The adapter may have sent before it hung: the retry is a resend of an unknown outcome.
    expect(failed).toMatchObject({ reason: "Timeout", retryable: true, outcomeUnknown: true })
    expect(failed!.message).toBe("the postback adapter gave no result within 400 ms")
    const [attempted] = await h.events(orderKey, "DispatchAttempted")
    expect(attempted!.durationMs as number).toBeGreaterThanOrEqual(400)
    const job = await h.job(orderKey, "hang")
    expect(job?.runAt.toISOString()).toBe(failed!.nextAttemptAt)
  })

  it("holds it instead, with nothing scheduled, for a postback target with the default onAmbiguous: hold", async () => {
    behaviour = () => Effect.never
    const orderKey = await h.plan(2, [{ targetId: "hang-hold", channel: "postback" }])
    await h.run({ orderKey, targetId: "hang-hold", kind: "conversion" })
    expect(await h.types(orderKey)).toEqual([
      "OrderNormalized",
      "DispatchPlanned",
      "DispatchAttemptStarted",
      "DispatchAttempted",
      "DispatchHeld"
    ])
    const [held] = await h.events(orderKey, "DispatchHeld")
    expect(held).toMatchObject({ attempt: 1, cause: "no_response" })
    expect(await h.job(orderKey, "hang-hold")).toBeUndefined()
  })
})

describe("a stray job (duplicate, replay) before the retry is due", () => {
  it("sends nothing and re-enqueues the dispatch for its nextAttemptAt", async () => {
    behaviour = () =>
      Effect.fail(
        new ChannelError({ channel: "postback", reason: "ServerError", retryable: true, detail: "500", exchanges: [] })
      )
    const orderKey = await h.plan(5, [{ targetId: "later", channel: "postback" }])
    await h.run({ orderKey, targetId: "later", kind: "conversion" })
    const [failed] = await h.events(orderKey, "DispatchFailed")
    const nextAttemptAt = failed!.nextAttemptAt as string
    expect(Date.parse(nextAttemptAt)).toBeGreaterThan(Date.now() + 30 * 60_000)
    behaviour = delivered
    const before = calls.length
    await h.run({ orderKey, targetId: "later", kind: "conversion" })
    expect(calls.length).toBe(before)
    expect(await h.types(orderKey)).toEqual([
      "OrderNormalized",
      "DispatchPlanned",
      "DispatchAttemptStarted",
      "DispatchAttempted",
      "DispatchFailed"
    ])
    expect((await h.job(orderKey, "later"))?.runAt.toISOString()).toBe(nextAttemptAt)
  })
})

describe("per-target concurrency", () => {
  it("reschedules a dispatch whose target has no free permit, at once and without an attempt or a Timeout", async () => {
    const gate = Effect.runSync(Deferred.make<void>())
    const entered = Effect.runSync(Deferred.make<void>())
    behaviour = (input) =>
      Deferred.succeed(entered, undefined).pipe(
        Effect.zipRight(Deferred.await(gate)),
        Effect.zipRight(delivered(input))
      )
    const first = await h.plan(10, [{ targetId: "one", channel: "postback" }])
    const second = await h.plan(11, [{ targetId: "one", channel: "postback" }])
    const running = h.run({ orderKey: first, targetId: "one", kind: "conversion" })
    await Effect.runPromise(Deferred.await(entered))
    // The only permit is taken: the second job returns without waiting for it.
    const before = Date.now()
    await h.run({ orderKey: second, targetId: "one", kind: "conversion" })
    expect(await h.types(second)).toEqual(["OrderNormalized", "DispatchPlanned"])
    const job = await h.job(second, "one")
    expect(job).toBeDefined()
    expect(job!.runAt.getTime()).toBeGreaterThanOrEqual(before + 1_000)
    expect(job!.runAt.getTime()).toBeLessThanOrEqual(Date.now() + 2_000)
    expect(calls.filter((c) => c.orderKey === second)).toHaveLength(0)
    Effect.runSync(Deferred.succeed(gate, undefined))
    await running
    // Once the permit is free, the rescheduled job sends.
    await h.run({ orderKey: second, targetId: "one", kind: "conversion" })
    expect(await h.types(second)).toEqual([
      "OrderNormalized",
      "DispatchPlanned",
      "DispatchAttemptStarted",
      "DispatchAttempted",
      "DispatchSucceeded"
    ])
    const [attempted] = await h.events(second, "DispatchAttempted")
    expect(attempted!.durationMs as number).toBeLessThan(1_000)
  })
})

describe("the circuit breaker's state across processes", () => {
  it("starts open for a target whose circuit another process (or a previous run) opened", async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString()
    await h.append("target-paused", [
      { _tag: "CircuitOpened", targetId: "paused", consecutiveFailures: 10, lastReason: "Unauthorized", until }
    ])
    behaviour = delivered
    const before = calls.length
    const orderKey = await h.plan(40, [{ targetId: "paused", channel: "postback" }])
    await h.run({ orderKey, targetId: "paused", kind: "conversion" })
    expect(calls.length).toBe(before)
    expect(await h.types(orderKey)).toEqual(["OrderNormalized", "DispatchPlanned"])
    expect((await h.job(orderKey, "paused"))?.runAt.toISOString()).toBe(until)
  })
})

describe("the circuit breaker's trial", () => {
  it("after the cooldown hands one trial to one of many waiting dispatches; its success closes the circuit", async () => {
    const unauthorized = () =>
      Effect.fail(
        new ChannelError({
          channel: "postback",
          reason: "Unauthorized",
          retryable: false,
          detail: "401",
          exchanges: []
        })
      )
    behaviour = unauthorized
    for (const id of [20, 21]) {
      const orderKey = await h.plan(id, [{ targetId: "flaky", channel: "postback" }])
      await h.run({ orderKey, targetId: "flaky", kind: "conversion" })
    }
    const opened = await h.sql`select data from events where stream_id = 'target-flaky' and type = 'CircuitOpened'`
    expect(opened).toHaveLength(1)
    const waiting = await Promise.all(
      [30, 31, 32, 33, 34, 35].map((id) => h.plan(id, [{ targetId: "flaky", channel: "postback" }]))
    )
    const cooledAt = Date.parse((opened[0]!.data as { until: string }).until)
    await waitUntil("the cooldown over", () => Date.now() > cooledAt)
    // Every paused order wakes at once; the trial is still unanswered while the others are admitted.
    const trialGate = Effect.runSync(Deferred.make<void>())
    behaviour = (input) => Deferred.await(trialGate).pipe(Effect.zipRight(delivered(input)))
    const callsBefore = calls.length
    let finished = 0
    const runs = waiting.map((orderKey) =>
      h.run({ orderKey, targetId: "flaky", kind: "conversion" }).finally(() => finished++)
    )
    // The five that lost the trial return (rescheduled) while it is still unanswered.
    await waitUntil("five runs rescheduled and the trial sent", () => finished === 5 && calls.length > callsBefore)
    expect(calls.length - callsBefore).toBe(1)
    Effect.runSync(Deferred.succeed(trialGate, undefined))
    await Promise.all(runs)
    const sent = await Promise.all(waiting.map((k) => h.types(k)))
    expect(sent.filter((t) => t.includes("DispatchSucceeded"))).toHaveLength(1)
    // The others were rescheduled, not failed.
    expect(sent.filter((t) => t.includes("DispatchFailed"))).toHaveLength(0)
    const closed = await h.sql`select data from events where stream_id = 'target-flaky' and type = 'CircuitClosed'`
    expect(closed).toHaveLength(1)
  })
})
