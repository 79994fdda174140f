import { describe, expect, it } from "vitest"
import { ALREADY_RECORDED, evolveFact, type FactRow } from "../../src/console/facts/dispatchFacts.js"
import type { RecordedEvent } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"

let position = 0
const at = (event: AppEvent, time = "2026-11-25T10:00:00Z"): RecordedEvent => ({
  position: ++position,
  transactionId: "1",
  streamId: "order-shop-de:1",
  version: position,
  eventId: `e${position}`,
  event,
  metadata: {},
  recordedAt: new Date(time)
})

const attempt = (
  n: number,
  status: number,
  body: unknown,
  kind: "conversion" | "retraction" = "conversion"
): AppEvent => ({
  _tag: "DispatchAttempted",
  orderKey: "shop-de:1",
  targetId: "meta",
  kind,
  attempt: n,
  channel: "meta-capi",
  trigger: "scheduled",
  durationMs: 40,
  exchanges: [
    {
      request: {
        method: "POST",
        url: "https://graph.test",
        headers: {},
        body: JSON.stringify({ data: [{ user_data: { em: ["h"], client_ip_address: "1.2.3.4" } }] })
      },
      response: { status, headers: {}, body: JSON.stringify(body), truncated: false },
      durationMs: 40
    }
  ]
})

const succeeded = (alreadyRecorded = false): AppEvent => ({
  _tag: "DispatchSucceeded",
  orderKey: "shop-de:1",
  targetId: "meta",
  kind: "conversion",
  attempt: 2,
  dedupKey: "shop-de:1",
  alreadyRecorded
})

const fold = (events: ReadonlyArray<RecordedEvent>) =>
  events.reduce<FactRow | undefined>((row, e) => evolveFact(row, e), undefined)

describe("dispatch facts", () => {
  it("keep the last request's identifiers and count attempts; acknowledged only once it succeeded", () => {
    const failed = fold([at(attempt(1, 503, { error: {} }))])
    expect(failed).toMatchObject({
      dispatch_key: "shop-de:1|meta",
      attempts: 1,
      identifiers: ["email", "ip"],
      acknowledged: false,
      acknowledgement: null
    })
    const done = fold([
      at(attempt(1, 503, { error: {} })),
      at(attempt(2, 200, { events_received: 1 }), "2026-11-25T10:05:00Z"),
      at(succeeded(), "2026-11-25T10:05:00Z")
    ])
    expect(done).toMatchObject({
      channel: "meta-capi",
      attempts: 2,
      acknowledgement: "events_received=1",
      acknowledged: true,
      succeeded_at: new Date("2026-11-25T10:05:00Z"),
      last_attempt_at: new Date("2026-11-25T10:05:00Z")
    })
  })

  it("count a success without the platform's word as delivered, not acknowledged", () => {
    expect(fold([at(attempt(1, 200, { unexpected: true })), at(succeeded())])).toMatchObject({
      acknowledged: false,
      succeeded_at: expect.any(Date)
    })
  })

  it("take 'already recorded by the destination' as its acknowledgement", () => {
    expect(fold([at(attempt(1, 200, {})), at(succeeded(true))])).toMatchObject({
      acknowledged: true,
      acknowledgement: ALREADY_RECORDED
    })
  })

  it("leave adjustments (retractions, restatements) out", () => {
    expect(fold([at(attempt(1, 200, { events_received: 1 }, "retraction"))])).toBeUndefined()
  })
})
