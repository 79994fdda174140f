// Intents on a real PostgreSQL: of two runners claiming one attempt exactly one wins (also many orders
// in one statement); a retried claim of our own is ours. And what the dispatcher does with an intent
// left without an outcome (a worker that died or paused past its lease after recording it): a
// postback target holds it (default) or resends it (onAmbiguous: resend), a deduplicating channel
// resends it; each resend is marked on the attempt and counted.
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import type { ChannelAdapter, DispatchInput } from "../../src/dispatch/Channel.js"
import { claimIntents, type Intent, intentAppend } from "../../src/dispatch/intents.js"
import { dispatchAmbiguousTotal } from "../../src/lib/metrics.js"
import { type Harness, startDispatcher } from "./harness.js"

const calls: Array<{ orderKey: string; targetId: string; attempt: number }> = []
const adapter = (channel: "postback" | "meta-capi", deduplicates?: { withinMs: number }): ChannelAdapter => ({
  channel,
  supports: ["conversion"],
  ...(deduplicates === undefined ? {} : { deduplicates }),
  send: (input: DispatchInput) =>
    Effect.sync(() => {
      calls.push({ orderKey: input.order.orderKey, targetId: input.target.id, attempt: input.attempt })
      return { _tag: "Delivered" as const, dedupKey: input.order.orderKey, alreadyRecorded: false, exchanges: [] }
    })
})

let h: Harness
beforeAll(async () => {
  h = await startDispatcher(
    `
sources: []
targets:
  - { id: hold, channel: postback, url: "http://127.0.0.1:9/h" }
  - { id: resend, channel: postback, url: "http://127.0.0.1:9/r", onAmbiguous: resend }
  - { id: meta, channel: meta-capi, pixelId: "1", accessToken: env:INTENT_META_TOKEN }
rules:
  - { id: r, company: "*", product: "*", partner: "*", target: hold }
`,
    { postback: adapter("postback"), "meta-capi": adapter("meta-capi", { withinMs: 48 * 3_600_000 }) }
  )
})

const intent = (orderKey: string, runner: string, attempt = 1): Intent => ({
  orderKey,
  targetId: "hold",
  kind: "conversion",
  attempt,
  channel: "postback",
  runner
})
const metadata = { actor: "test" }

describe("claimIntents", () => {
  it("lets exactly one of two racing runners claim an attempt, and knows a retried claim of its own", async () => {
    const orderKey = await h.plan(1, [{ targetId: "hold", channel: "postback" }])
    const [a, b] = await Promise.all([
      claimIntents(h.sql, [intent(orderKey, "run-a")], metadata),
      claimIntents(h.sql, [intent(orderKey, "run-b")], metadata)
    ])
    expect([a![0], b![0]].filter(Boolean)).toHaveLength(1)
    const winner = a![0] ? "run-a" : "run-b"
    expect(await h.events(orderKey, "DispatchAttemptStarted")).toEqual([
      expect.objectContaining({ attempt: 1, runner: winner })
    ])
    // The winner's connection dropped after the commit: claiming again finds its own intent.
    expect(await claimIntents(h.sql, [intent(orderKey, winner)], metadata)).toEqual([true])
    // The next attempt is a new claim.
    expect(await claimIntents(h.sql, [intent(orderKey, "run-b", 2)], metadata)).toEqual([true])
  })

  it("claims the intents of many orders in one statement, each once", async () => {
    const keys = await Promise.all(
      [10, 11, 12, 13, 14].map((id) => h.plan(id, [{ targetId: "hold", channel: "postback" }]))
    )
    const first = await claimIntents(
      h.sql,
      keys.map((k) => intent(k, "batch-a")),
      metadata
    )
    expect(first).toEqual([true, true, true, true, true])
    // Another runner with an overlapping batch: only the order no one claimed yet is its.
    const fresh = await h.plan(15, [{ targetId: "hold", channel: "postback" }])
    const second = await claimIntents(
      h.sql,
      [...keys.slice(0, 2), fresh, keys[2]!].map((k) => intent(k, "batch-b")),
      metadata
    )
    expect(second).toEqual([false, false, true, false])
    // Two targets of one order in one batch: two appends to one stream, each its own claim.
    const both = await h.plan(16, [{ targetId: "hold", channel: "postback" }])
    const other = { ...intent(both, "batch-c"), targetId: "resend" }
    expect(await claimIntents(h.sql, [intent(both, "batch-c"), other, intent(both, "batch-d")], metadata)).toEqual([
      true,
      true,
      false
    ])
  })
})

/** What a worker that died right after recording its intent leaves behind. */
const crashedAfterIntent = async (orderKey: string, targetId: string, channel: string) => {
  const append = intentAppend({ orderKey, targetId, kind: "conversion", attempt: 1, channel, runner: "dead-worker" })
  await h.append(append.streamId, append.events)
}

const ambiguous = (channel: string, resolution: string) =>
  dispatchAmbiguousTotal
    .get()
    .then((m) => m.values.find((v) => v.labels.channel === channel && v.labels.resolution === resolution)?.value ?? 0)

describe("an intent without an outcome", () => {
  it("is held for a postback target by default: nothing sent, however often the job runs", async () => {
    const orderKey = await h.plan(20, [{ targetId: "hold", channel: "postback" }])
    await crashedAfterIntent(orderKey, "hold", "postback")
    const holds = await ambiguous("postback", "hold")
    const before = calls.length
    await h.run({ orderKey, targetId: "hold", kind: "conversion" })
    await h.run({ orderKey, targetId: "hold", kind: "conversion" })
    expect(calls.length).toBe(before)
    expect(await h.types(orderKey)).toEqual([
      "OrderNormalized",
      "DispatchPlanned",
      "DispatchAttemptStarted",
      "DispatchHeld"
    ])
    const [held] = await h.events(orderKey, "DispatchHeld")
    expect(held).toMatchObject({ attempt: 1, cause: "outcome_lost", targetId: "hold" })
    expect(await ambiguous("postback", "hold")).toBe(holds + 1)
  })

  it("is resent, marked and counted, for a postback target with onAmbiguous: resend", async () => {
    const orderKey = await h.plan(21, [{ targetId: "resend", channel: "postback" }])
    await crashedAfterIntent(orderKey, "resend", "postback")
    const resends = await ambiguous("postback", "resend")
    await h.run({ orderKey, targetId: "resend", kind: "conversion" })
    expect(calls.filter((c) => c.orderKey === orderKey)).toEqual([{ orderKey, targetId: "resend", attempt: 2 }])
    const [started] = (await h.events(orderKey, "DispatchAttemptStarted")).slice(-1)
    const [attempted] = await h.events(orderKey, "DispatchAttempted")
    expect(started).toMatchObject({ attempt: 2, resendOf: 1 })
    expect(attempted).toMatchObject({ attempt: 2, resendOf: 1 })
    expect(await ambiguous("postback", "resend")).toBe(resends + 1)
  })

  it("is resent to a channel that deduplicates on our key, with the same order (Meta event_id)", async () => {
    process.env.INTENT_META_TOKEN = "t"
    const orderKey = await h.plan(22, [{ targetId: "meta", channel: "meta-capi" }])
    await crashedAfterIntent(orderKey, "meta", "meta-capi")
    await h.run({ orderKey, targetId: "meta", kind: "conversion" })
    await h.run({ orderKey, targetId: "meta", kind: "conversion" })
    expect(calls.filter((c) => c.orderKey === orderKey)).toHaveLength(1)
    expect(await h.types(orderKey)).toEqual([
      "OrderNormalized",
      "DispatchPlanned",
      "DispatchAttemptStarted",
      "DispatchAttemptStarted",
      "DispatchAttempted",
      "DispatchSucceeded"
    ])
  })
})
