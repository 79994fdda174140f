import { describe, expect, it } from "vitest"
import type { RecordedEvent } from "../../src/events/EventStore.js"
import type { AppEvent, EventMetadata } from "../../src/events/Events.js"
import { span, timeline } from "../../src/orders/timeline.js"
import { makeOrder } from "../dispatch/channels/support/orders.js"

let position = 0
const at = (
  event: AppEvent,
  time: string,
  streamId: string,
  metadata: EventMetadata = { actor: "worker" }
): RecordedEvent => ({
  position: ++position,
  transactionId: String(position),
  streamId,
  version: position,
  eventId: `e${position}`,
  event,
  metadata,
  recordedAt: new Date(time)
})

const body = { encoding: "utf8" as const, text: "{}", sha256: "0".repeat(64), bytes: 2048 }
const delivery = {
  webhookId: "wh-1",
  sourceId: "shop-de",
  kind: "shopify",
  topic: "orders/paid",
  dedupKey: "webhook:1",
  headers: {},
  receivedAt: "2026-11-02T10:00:00Z"
}
const order = makeOrder("DE", { orderKey: "shop-de:1001", partner: "awin", products: ["vitamins"] })
const ref = { orderKey: "shop-de:1001", targetId: "awin", kind: "conversion" as const }

const events: ReadonlyArray<RecordedEvent> = [
  at({ _tag: "WebhookReceived", ...delivery, body }, "2026-11-02T10:00:00.000Z", "webhook-wh-1"),
  at(
    { _tag: "OrderNormalized", webhookId: "wh-1", order, parserVersion: 1 },
    "2026-11-02T10:00:00.250Z",
    "order-shop-de:1001"
  ),
  at(
    {
      _tag: "DispatchPlanned",
      orderKey: "shop-de:1001",
      targets: [{ targetId: "awin", channel: "postback", ruleId: "awin-all", kind: "conversion" }],
      decisions: [],
      trigger: "paid"
    },
    "2026-11-02T10:00:00.250Z",
    "order-shop-de:1001"
  ),
  at(
    {
      _tag: "WebhookNormalized",
      webhookId: "wh-1",
      orderKey: "shop-de:1001",
      outcome: "changed",
      eventTypes: ["OrderNormalized"],
      parserVersion: 1
    },
    "2026-11-02T10:00:00.250Z",
    "webhook-wh-1"
  ),
  at(
    {
      _tag: "DispatchAttempted",
      ...ref,
      attempt: 1,
      channel: "postback",
      durationMs: 312.4,
      trigger: "scheduled",
      exchanges: [
        {
          request: { method: "GET", url: "https://www.awin1.com/sread.php?ref=1001&cks=abc", headers: {} },
          response: { status: 503, headers: {}, body: "busy", truncated: false },
          durationMs: 310
        }
      ]
    },
    "2026-11-02T10:00:01.000Z",
    "order-shop-de:1001"
  ),
  at(
    {
      _tag: "DispatchFailed",
      ...ref,
      attempt: 1,
      reason: "ServerError",
      retryable: true,
      message: "HTTP 503",
      nextAttemptAt: "2026-11-02T10:00:31Z"
    },
    "2026-11-02T10:00:01.000Z",
    "order-shop-de:1001"
  ),
  at(
    { _tag: "DispatchRequested", ...ref, reason: "partner outage", actor: "cli:alice", force: false },
    "2026-11-02T11:00:00.000Z",
    "order-shop-de:1001",
    { actor: "cli:alice" }
  ),
  at(
    {
      _tag: "DispatchAttempted",
      ...ref,
      attempt: 2,
      channel: "postback",
      durationMs: 12_500,
      trigger: "operator",
      exchanges: [
        {
          request: { method: "GET", url: "https://www.awin1.com/sread.php", headers: {} },
          durationMs: 12_500,
          error: "timeout"
        }
      ]
    },
    "2026-11-02T11:00:13.000Z",
    "order-shop-de:1001"
  ),
  at(
    { _tag: "DispatchSucceeded", ...ref, attempt: 3, dedupKey: "shop-de:1001", alreadyRecorded: true },
    "2026-11-02T11:01:00.000Z",
    "order-shop-de:1001"
  ),
  at({ _tag: "WebhookDuplicateReceived", ...delivery, body }, "2026-11-02T12:00:00.000Z", "webhook-wh-1"),
  at(
    {
      _tag: "AlertRaised",
      alertId: "a1",
      problem: "dead_letter",
      groupKey: "g",
      orderKey: "shop-de:1001",
      targetId: "awin",
      summary: "awin gave up",
      details: {}
    },
    "2026-11-02T12:00:01.000Z",
    "alert-a1"
  )
]

describe("the order timeline", () => {
  it("gives every step its stage, outcome, target and duration, oldest first", () => {
    expect(timeline(events).map((r) => [r.stage, r.status, r.target, r.duration, r.what])).toEqual([
      ["ingest", "accepted", "", "", "webhook wh-1 from shop-de (orders/paid, 2.0 KB)"],
      ["normalize", "paid", "", "", "order 49.90 EUR (acme, vitamins, partner awin)"],
      ["route", "planned", "awin", "", "conversion via rule awin-all (postback, trigger paid)"],
      ["normalize", "changed", "", "", "webhook wh-1 normalized 250 ms after receipt (parser v1): OrderNormalized"],
      ["dispatch", "HTTP 503", "awin", "312 ms", "attempt 1: GET www.awin1.com/sread.php"],
      [
        "dispatch",
        "retrying",
        "awin",
        "",
        "attempt 1 failed: ServerError: HTTP 503; next attempt 2026-11-02T10:00:31Z"
      ],
      ["operator", "requested", "awin", "", "re-dispatch requested by cli:alice: partner outage"],
      ["dispatch", "error", "awin", "12.5 s", "attempt 2 (operator): GET www.awin1.com/sread.php: timeout"],
      ["dispatch", "succeeded", "awin", "", "already recorded by the destination (dedup key shop-de:1001)"],
      ["ingest", "duplicate", "", "", "redelivery of webhook wh-1 (2.0 KB)"],
      ["alert", "raised", "awin", "", "dead_letter: awin gave up"]
    ])
    expect(timeline(events)[0]!.at).toBe("2026-11-02T10:00:00.000Z")
  })

  it("says why a dispatch was given up, and that its last failure was not retried", () => {
    const failed = (attempt: number, nextAttemptAt?: string) =>
      at(
        {
          _tag: "DispatchFailed",
          orderKey: "k",
          targetId: "belboon",
          kind: "conversion",
          attempt,
          reason: "ServerError",
          retryable: true,
          message: "HTTP 500",
          ...(nextAttemptAt ? { nextAttemptAt } : {})
        },
        "2026-11-02T10:00:00Z",
        "order-k"
      )
    const deadLetter = (extra: object) =>
      at(
        {
          _tag: "DispatchDeadLettered",
          orderKey: "k",
          targetId: "belboon",
          kind: "conversion",
          attempts: 2,
          reason: "ServerError",
          message: "HTTP 500",
          ...extra
        },
        "2026-11-02T10:00:00Z",
        "order-k"
      )
    const rows = timeline([
      failed(1, "2026-11-02T10:00:02Z"),
      failed(2),
      deadLetter({ cause: "attempts" }),
      deadLetter({ cause: "horizon", detail: "the next attempt would fall after the retry horizon (72 h)" }),
      // Recorded before the cause had its own field.
      deadLetter({ reason: "ServerError: gave up after 2 attempts" })
    ])
    expect(rows.map((r) => [r.status, r.what])).toEqual([
      ["retrying", "attempt 1 failed: ServerError: HTTP 500; next attempt 2026-11-02T10:00:02Z"],
      ["failed", "attempt 2 failed: ServerError: HTTP 500; not retried (given up, see below)"],
      ["dead_lettered", "given up: all 2 attempts the retry policy allows failed; last error ServerError: HTTP 500"],
      [
        "dead_lettered",
        "given up: 2 attempts failed and the next attempt would fall after the retry horizon (72 h); last error ServerError: HTTP 500"
      ],
      ["dead_lettered", "given up: all 2 attempts the retry policy allows failed; last error ServerError: HTTP 500"]
    ])
  })

  it("times a re-normalization from the operator's request, not from the webhook's receipt days before", () => {
    const rows = timeline([
      at(
        {
          _tag: "RenormalizationRequested",
          webhookId: "wh-1",
          reason: "parser fix",
          actor: "cli:alice@ops"
        },
        "2026-11-05T10:00:00Z",
        "webhook-wh-1"
      ),
      at(
        {
          _tag: "WebhookNormalized",
          webhookId: "wh-1",
          orderKey: "k",
          outcome: "changed",
          eventTypes: ["OrderNormalized"],
          parserVersion: 1
        },
        "2026-11-05T10:00:01.500Z",
        "webhook-wh-1"
      )
    ])
    expect(rows.at(-1)!.what).toBe(
      "webhook wh-1 re-normalized 1.5 s after the re-run request (parser v1): OrderNormalized"
    )
    expect([span(250), span(12_500), span(240_000), span(3.2 * 3_600_000), span(2.1 * 86_400_000)]).toEqual([
      "250 ms",
      "12.5 s",
      "4 min",
      "3.2 h",
      "2.1 d"
    ])
  })

  it("shows a plan that routes nowhere as one line, and an adjustment with its kind", () => {
    const rows = timeline([
      at(
        {
          _tag: "DispatchPlanned",
          orderKey: "k",
          targets: [],
          decisions: [{ ruleId: "r", outcome: "not_matched", detail: "" }],
          trigger: "paid"
        },
        "2026-11-02T10:00:00Z",
        "order-k"
      ),
      at(
        {
          _tag: "DispatchSkipped",
          orderKey: "k",
          targetId: "g",
          kind: "retraction",
          reason: "unsupported",
          detail: "no click id"
        },
        "2026-11-02T10:00:00Z",
        "order-k"
      )
    ])
    expect(rows.map((r) => [r.stage, r.status, r.what])).toEqual([
      ["route", "unrouted", "no target (1 rule(s) checked, trigger paid)"],
      ["dispatch", "skipped", "skipped (retraction): unsupported (no click id)"]
    ])
  })
})
