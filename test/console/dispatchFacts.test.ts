import { describe, expect, it } from "vitest"
import { ALREADY_RECORDED, dispatchFacts, evolveFacts, type OrderFacts } from "../../src/console/facts/dispatchFacts.js"
import type { RecordedEvent } from "../../src/events/EventStore.js"
import { type AppEvent, allEventTypes } from "../../src/events/Events.js"

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

const ref = { orderKey: "shop-de:1", targetId: "meta", kind: "conversion" as const }

const planned: AppEvent = {
  _tag: "DispatchPlanned",
  orderKey: "shop-de:1",
  targets: [
    { targetId: "meta", channel: "meta-capi", ruleId: "meta-all", kind: "conversion" },
    { targetId: "awin", channel: "postback", ruleId: "awin-all", kind: "conversion" }
  ],
  decisions: [],
  trigger: "paid"
}

const attempt = (n: number, status: number, body: unknown): AppEvent => ({
  _tag: "DispatchAttempted",
  ...ref,
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
  ...ref,
  attempt: 2,
  dedupKey: "shop-de:1",
  alreadyRecorded
})

const fold = (events: ReadonlyArray<AppEvent>) =>
  events.reduce<OrderFacts>((facts, e) => evolveFacts(facts, at(e)), new Map())

describe("dispatch facts", () => {
  it("start with the plan, one per target, in the dispatcher's own states", () => {
    const facts = fold([planned])
    expect([...facts.values()].map((f) => [f.targetId, f.status, f.acknowledged])).toEqual([
      ["meta", "planned", false],
      ["awin", "planned", false]
    ])
  })

  it("keep the last request's identifiers; acknowledged only when it succeeded with the platform's word", () => {
    const failed = fold([
      planned,
      attempt(1, 503, { error: {} }),
      {
        _tag: "DispatchFailed",
        ...ref,
        attempt: 1,
        reason: "ServerError",
        retryable: true,
        message: "HTTP 503 for anna@example.de"
      }
    ])
    const meta = failed.get("meta|conversion")!
    expect(meta).toMatchObject({ identifiers: ["email", "ip"], acknowledged: false, acknowledgement: null })
    expect(meta).toMatchObject({ status: "retrying", attempts: 1, lastReason: "ServerError" })
    // Partners' messages can quote a customer: never kept here.
    expect(JSON.stringify(meta)).not.toContain("anna@example.de")
    const done = fold([planned, attempt(1, 503, {}), attempt(2, 200, { events_received: 1 }), succeeded()])
    expect(done.get("meta|conversion")).toMatchObject({
      acknowledgement: "events_received=1",
      acknowledged: true,
      status: "succeeded",
      attempts: 2
    })
    expect(done.get("awin|conversion")?.status).toBe("planned")
  })

  it("count a success without the platform's word as delivered, not acknowledged", () => {
    expect(fold([planned, attempt(1, 200, { unexpected: true }), succeeded()]).get("meta|conversion")).toMatchObject({
      acknowledged: false,
      status: "succeeded"
    })
  })

  it("take 'already recorded by the destination' as its acknowledgement", () => {
    expect(fold([planned, attempt(1, 200, {}), succeeded(true)]).get("meta|conversion")).toMatchObject({
      acknowledged: true,
      acknowledgement: ALREADY_RECORDED
    })
  })

  it("follow dead letters and operator requests as the dispatcher does", () => {
    const dead = fold([
      planned,
      attempt(1, 500, {}),
      { _tag: "DispatchDeadLettered", ...ref, attempts: 1, reason: "ServerError", message: "down" }
    ])
    expect(dead.get("meta|conversion")?.status).toBe("dead_lettered")
    const again = evolveFacts(
      dead,
      at({ _tag: "DispatchRequested", ...ref, reason: "partner back", actor: "token:tok_1", force: false })
    )
    expect(again.get("meta|conversion")).toMatchObject({ status: "planned", attempts: 1 })
    // A success stays final without force, as for the dispatcher.
    const done = fold([planned, attempt(1, 200, { events_received: 1 }), succeeded()])
    const request = (force: boolean): AppEvent => ({
      _tag: "DispatchRequested",
      ...ref,
      reason: "again",
      actor: "token:tok_1",
      force
    })
    expect(evolveFacts(done, at(request(false)))).toBe(done)
    expect(evolveFacts(done, at(request(true))).get("meta|conversion")).toMatchObject({
      status: "planned",
      acknowledged: false
    })
  })

  it("read every dispatch event the dispatcher folds (a projection that skips one keeps a stale state)", () => {
    const dispatchEvents = [...allEventTypes].filter((t) => t.startsWith("Dispatch"))
    expect(dispatchEvents).toContain("DispatchHeld")
    expect(dispatchEvents.filter((t) => !dispatchFacts.eventTypes.has(t))).toEqual([])
  })

  it("hold an attempt whose outcome is unknown, counting its intent, until an operator asks again", () => {
    const held = fold([
      planned,
      { _tag: "DispatchAttemptStarted", ...ref, attempt: 1, channel: "postback", runner: "w1" },
      {
        _tag: "DispatchHeld",
        ...ref,
        attempt: 1,
        channel: "postback",
        cause: "outcome_lost",
        detail: "attempt 1's outcome was not recorded"
      }
    ])
    expect(held.get("meta|conversion")).toMatchObject({ status: "held", attempts: 1, lastReason: "outcome_lost" })
    const again = evolveFacts(
      held,
      at({ _tag: "DispatchRequested", ...ref, reason: "partner has none", actor: "token:tok_1", force: false })
    )
    expect(again.get("meta|conversion")).toMatchObject({ status: "planned", attempts: 1 })
  })

  it("count a dispatch the previous system sent (imported) as delivered, not acknowledged here", () => {
    const imported = fold([
      { _tag: "DispatchImported", ...ref, sentAt: "2026-11-20T08:00:00Z", reference: "old-1", actor: "cli:ops" },
      planned
    ])
    expect(imported.get("meta|conversion")).toMatchObject({ status: "succeeded", acknowledged: false })
  })
})
