// `s2s orders log` and the order views for attempts whose outcome is unknown: an intent shows only
// while it has no outcome (in flight, or lost in a crash); a held dispatch names the command that
// resolves it; a resend says which attempt it repeats; an order with a held target is "held".
import { describe, expect, it } from "vitest"
import type { DispatchEntry } from "../../src/conversion/dispatch.js"
import type { RecordedEvent } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import { timeline } from "../../src/orders/timeline.js"
import { summarize } from "../../src/projections/conversionView.js"

let position = 0
const at = (event: AppEvent): RecordedEvent => ({
  position: ++position,
  transactionId: String(position),
  streamId: "order-shop-de:1001",
  version: position,
  eventId: `e${position}`,
  event,
  metadata: { actor: "worker" },
  recordedAt: new Date(Date.UTC(2026, 10, 2, 10, 0, position))
})
const ref = { orderKey: "shop-de:1001", targetId: "awin", kind: "conversion" as const }
const started = (attempt: number, resendOf?: number): AppEvent => ({
  _tag: "DispatchAttemptStarted",
  ...ref,
  attempt,
  channel: "postback",
  runner: "r",
  ...(resendOf === undefined ? {} : { resendOf })
})
const attempted = (attempt: number, resendOf?: number): AppEvent => ({
  _tag: "DispatchAttempted",
  ...ref,
  attempt,
  channel: "postback",
  exchanges: [
    {
      request: { method: "GET", url: "https://partner.test/sale?ref=1001", headers: {} },
      response: { status: 200, headers: {}, body: "OK", truncated: false },
      durationMs: 80
    }
  ],
  durationMs: 80,
  trigger: "operator",
  ...(resendOf === undefined ? {} : { resendOf })
})
const rows = (...events: ReadonlyArray<AppEvent>) => timeline(events.map(at)).map((r) => `${r.status} | ${r.what}`)

describe("the order log of ambiguous attempts", () => {
  it("shows an intent without an outcome, and hides one whose attempt has its own line", () => {
    expect(rows(started(1))).toEqual([
      "sending | attempt 1 started, no outcome recorded (being sent, or lost in a crash)"
    ])
    expect(rows(started(1), attempted(1))).toEqual(["HTTP 200 | attempt 1 (operator): GET partner.test/sale"])
  })

  it("names the command that resolves a hold, and the attempt a resend repeats", () => {
    const log = rows(
      started(1),
      {
        _tag: "DispatchHeld",
        ...ref,
        attempt: 1,
        channel: "postback",
        cause: "outcome_lost",
        detail: "attempt 1 was being sent when its worker stopped"
      },
      started(2, 1),
      attempted(2, 1)
    )
    expect(log).toEqual([
      "held | held: attempt 1 was being sent when its worker stopped; to send it: s2s redispatch --order shop-de:1001 --target awin --yes",
      "HTTP 200 | attempt 2 (operator) (resends attempt 1, outcome unknown): GET partner.test/sale"
    ])
  })

  it("quotes an order key the shell would split or expand in the command it names", () => {
    const held = timeline([
      at({
        _tag: "DispatchHeld",
        orderKey: "shop de:#1001",
        targetId: "awin",
        kind: "conversion",
        attempt: 1,
        channel: "postback",
        cause: "outcome_lost",
        detail: "attempt 1 was being sent when its worker stopped"
      })
    ])
    expect(held.map((r) => r.what)).toEqual([
      "held: attempt 1 was being sent when its worker stopped; to send it: s2s redispatch --order 'shop de:#1001' --target awin --yes"
    ])
  })
})

describe("an order's dispatch state with a held target", () => {
  const entry = (status: DispatchEntry["status"], targetId: string): DispatchEntry => ({
    targetId,
    kind: "conversion",
    channel: "postback",
    ruleId: "r",
    status,
    attempts: 1
  })
  it("is held, whatever the other targets do: only an operator moves it on", () => {
    expect(summarize([entry("held", "awin"), entry("succeeded", "meta")])).toBe("held")
    expect(summarize([entry("held", "awin"), entry("retrying", "meta")])).toBe("held")
    expect(summarize([entry("succeeded", "meta")])).toBe("delivered")
  })
})
