// Partners that fail the way real ones do, through the whole service (webhook in, worker, fake
// partners on loopback): answering 500, answering 429 with Retry-After, hanging past our timeout, and
// down for good. Counted at the fakes: every accepted webhook ends delivered, held with an alert or
// dead-lettered with an alert; no postback is processed twice; Meta and Google get a second request
// only for an attempt whose outcome was unknown (the hang), and those resends are counted.
import { beforeAll, describe, expect, it } from "vitest"
import { s2s } from "../../orders/support.js"
import { eventually } from "../../support/fakeServer.js"
import { type Behaviour, settled, startWorld, type World } from "./support/world.js"

const FLAKY = 7101
const LIMITED = 7201
const HUNG = 7301
const DOWN = 7401
const TARGETS = ["awin", "meta", "google"] as const

/** The same misbehaviour on every channel, keyed by the platform order id each request names. */
const script =
  (channel: string) =>
  (order: string, nth: number): Behaviour => {
    switch (Number(order)) {
      case FLAKY:
        return nth < 2 ? { status: 500, body: '{"error":"oops"}' } : { status: 200 }
      case LIMITED:
        return nth === 0
          ? {
              status: 429,
              body: '{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}',
              headers: { "retry-after": "1" }
            }
          : { status: 200 }
      case HUNG:
        // No answer to the first request: it is held open past our 1 s timeout, then dropped.
        return nth === 0 ? { hangMs: 1_500 } : { status: 200 }
      case DOWN:
        return { status: 503, body: `{"error":"${channel} maintenance"}` }
      default:
        return { status: 200 }
    }
  }

let w: World
const fakes = () => ({ awin: w.postback, meta: w.meta, google: w.google })
const key = (id: number) => `shop-de:${id}`

beforeAll(async () => {
  w = await startWorld({ postback: script("awin"), meta: script("meta"), google: script("google") })
  // One order at a time, each once its first requests are out: each misbehaviour is scripted per
  // order, so no order rides in another's batch (one Meta or Data Manager request for several).
  for (const id of [FLAKY, LIMITED, HUNG, DOWN]) {
    expect(await w.deliver(id)).toBe(202)
    await eventually(async () =>
      Object.values(fakes()).every((f) => f.about(String(id)).length > 0) ? true : undefined
    )
  }
})

describe("a partner answering 500", () => {
  it("is retried until it answers 200, once per channel; nothing is sent after the success", async () => {
    expect(await settled(w, key(FLAKY), TARGETS)).toEqual({ awin: "succeeded", meta: "succeeded", google: "succeeded" })
    for (const fake of Object.values(fakes())) {
      const hits = fake.about(String(FLAKY))
      expect(hits.map((h) => h.status)).toEqual([500, 500, 200])
    }
    // An answered error is not an unknown outcome: no attempt is a resend.
    expect((await w.eventsOf(key(FLAKY), "DispatchAttempted")).filter((a) => a.resendOf !== undefined)).toEqual([])
  })
})

describe("a partner answering 429 with Retry-After", () => {
  it("is retried no sooner than Retry-After after its answer, then delivered once", async () => {
    expect(await settled(w, key(LIMITED), TARGETS)).toEqual({
      awin: "succeeded",
      meta: "succeeded",
      google: "succeeded"
    })
    for (const [name, fake] of Object.entries(fakes())) {
      const [limited, retried, ...more] = fake.about(String(LIMITED))
      expect(more, name).toEqual([])
      expect(limited!.status, name).toBe(429)
      expect(retried!.status, name).toBe(200)
      // The backoff (200 ms) is shorter: the partner's 1 s wins, counted from its answer.
      expect(retried!.at - limited!.answeredAt!, name).toBeGreaterThanOrEqual(1_000)
    }
  })
})

describe("a partner hanging past the timeout", () => {
  it("holds the postback (no second request) with an alert; Meta and Google get one counted resend", async () => {
    expect(await settled(w, key(HUNG), TARGETS)).toEqual({ awin: "held", meta: "succeeded", google: "succeeded" })
    expect(w.postback.about(String(HUNG))).toHaveLength(1)
    const [held] = await w.eventsOf(key(HUNG), "DispatchHeld")
    expect(held).toMatchObject({ targetId: "awin", attempt: 1, cause: "no_response" })
    const alert = await eventually(async () =>
      w.slack.messages.find((m) => m.text.includes(key(HUNG)) && m.text.includes("held"))
    )
    expect(alert.blocks).toContain(`s2s redispatch --order ${key(HUNG)} --target awin --yes`)
    for (const [channel, fake] of [
      ["meta-capi", w.meta],
      ["google-ads", w.google]
    ] as const) {
      expect(fake.about(String(HUNG)).map((h) => h.status)).toEqual([undefined, 200])
      expect(await w.metric("s2s_dispatch_ambiguous_total", { channel, resolution: "resend" })).toBe(1)
    }
    const resends = (await w.eventsOf(key(HUNG), "DispatchAttempted")).filter((a) => a.resendOf !== undefined)
    expect(resends.map((a) => [a.targetId, a.attempt, a.resendOf]).sort()).toEqual([
      ["google", 2, 1],
      ["meta", 2, 1]
    ])
    expect(await w.metric("s2s_dispatch_ambiguous_total", { channel: "postback", resolution: "hold" })).toBe(1)
  })

  it("is listed as held, and sent once more only when an operator says so (the one command)", async () => {
    const listed = await eventually(async () => {
      const r = await s2s(["orders", "list", "--dispatch-state", "held"], w.service.databaseUrl)
      return r.stdout.includes(key(HUNG)) ? r : undefined
    })
    expect(listed.code).toBe(0)
    const resolved = await s2s(
      ["redispatch", "--order", key(HUNG), "--target", "awin", "--yes", "--reason", "partner confirmed it has nothing"],
      w.service.databaseUrl
    )
    expect(resolved.code).toBe(0)
    expect(await settled(w, key(HUNG), ["awin"])).toEqual({ awin: "succeeded" })
    expect(w.postback.about(String(HUNG), true)).toHaveLength(1)
    const [request] = await w.eventsOf(key(HUNG), "DispatchRequested")
    expect(request!.actor).toMatch(/^cli:/)
  })
})

describe("a partner down for good", () => {
  it("dead-letters each target after its attempts, with an alert naming the order", async () => {
    expect(await settled(w, key(DOWN), TARGETS)).toEqual({
      awin: "dead_lettered",
      meta: "dead_lettered",
      google: "dead_lettered"
    })
    for (const fake of Object.values(fakes())) expect(fake.about(String(DOWN), true)).toHaveLength(0)
    for (const target of TARGETS)
      await eventually(async () =>
        w.slack.messages.find((m) => m.text.includes(key(DOWN)) && m.text.includes(`to ${target}`))
      )
  })
})

describe("every accepted webhook", () => {
  it("is accounted for, and no postback was processed twice", async () => {
    const outcomes = await Promise.all([FLAKY, LIMITED, HUNG, DOWN].map((id) => settled(w, key(id), TARGETS)))
    expect(outcomes).toEqual([
      { awin: "succeeded", meta: "succeeded", google: "succeeded" },
      { awin: "succeeded", meta: "succeeded", google: "succeeded" },
      { awin: "succeeded", meta: "succeeded", google: "succeeded" },
      { awin: "dead_lettered", meta: "dead_lettered", google: "dead_lettered" }
    ])
    for (const id of [FLAKY, LIMITED, HUNG]) expect(w.postback.about(String(id), true)).toHaveLength(1)
    // Meta and Google: one resend each in all, the hung attempt's; nothing else went twice.
    for (const fake of [w.meta, w.google])
      for (const id of [FLAKY, LIMITED, HUNG]) expect(fake.about(String(id), true)).toHaveLength(1)
  })
})
