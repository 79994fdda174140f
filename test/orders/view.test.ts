import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import type { RecordedEvent } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import { OrderView, toOrderView } from "../../src/orders/view.js"
import { type ConversionView, evolveView } from "../../src/projections/conversionView.js"
import { makeOrder } from "../dispatch/channels/support/orders.js"

const fold = (orderKey: string, events: ReadonlyArray<AppEvent>): ConversionView => {
  let view: ConversionView | undefined
  events.forEach((event, i) => {
    const recorded: RecordedEvent = {
      position: i + 1,
      transactionId: String(i + 1),
      streamId: `order-${orderKey}`,
      version: i + 1,
      eventId: `e${i}`,
      event,
      metadata: {},
      recordedAt: new Date(Date.UTC(2026, 10, 2, 10, 0, i))
    }
    view = evolveView(view, recorded)
  })
  return view!
}

const order = makeOrder("DE", { orderKey: "shop-de:1001", partner: "google" })
const ref = { orderKey: "shop-de:1001", targetId: "google-acme", kind: "conversion" as const }
const dispatched = fold("shop-de:1001", [
  { _tag: "OrderNormalized", webhookId: "wh-1", order, parserVersion: 1 },
  {
    _tag: "DispatchPlanned",
    orderKey: "shop-de:1001",
    targets: [{ targetId: "google-acme", channel: "google-ads", ruleId: "acme-google", kind: "conversion" }],
    decisions: [],
    trigger: "paid"
  },
  {
    _tag: "DispatchAttempted",
    ...ref,
    attempt: 1,
    channel: "google-ads",
    exchanges: [],
    durationMs: 80,
    trigger: "scheduled"
  },
  {
    _tag: "DispatchFailed",
    ...ref,
    attempt: 1,
    reason: "TooRecent",
    retryable: true,
    message: "click younger than 6 hours for anna.mueller@example.de",
    nextAttemptAt: "2026-11-02T16:00:00Z"
  },
  {
    _tag: "OrderRefunded",
    webhookId: "wh-2",
    orderKey: "shop-de:1001",
    refundedMinor: 1000,
    currency: "EUR",
    full: false
  }
])
const encode = Schema.encodeSync(OrderView)

describe("the order view", () => {
  it("shows status, value, identity, tracking and per-target state, customer masked", () => {
    const view = toOrderView(dispatched, { reveal: false })
    expect(view).toMatchObject({
      orderKey: "shop-de:1001",
      sourceId: "shop-de",
      platform: "shopify",
      platformOrderId: "1001",
      orderNumber: "#1001",
      company: "acme",
      market: "DE",
      partner: "google",
      products: ["vitamins"],
      status: "partially_refunded",
      ignored: null,
      value: { amountMinor: 4990, currency: "EUR", amount: "49.90" },
      refundedMinor: 1000,
      placedAt: "2026-03-10T09:00:00Z",
      paidAt: "2026-03-10T09:05:30Z",
      cancelledAt: null,
      test: false,
      hasClickId: true,
      missingTracking: false,
      consent: { adUserData: "granted", adPersonalization: "granted" },
      customer: {
        email: "A***@Example.DE ",
        phone: "*** ** 89",
        firstName: "A***",
        lastName: "M***",
        zip: "60***",
        city: "Frankfurt am Main"
      },
      masked: true,
      dispatchState: "pending",
      firstRecordedAt: "2026-11-02T10:00:00.000Z",
      updatedAt: "2026-11-02T10:00:04.000Z",
      version: 5
    })
    expect(view.tracking).toEqual(order.tracking)
    expect(view.targets).toEqual([
      {
        targetId: "google-acme",
        kind: "conversion",
        channel: "google-ads",
        ruleId: "acme-google",
        status: "retrying",
        attempts: 1,
        lastAttemptAt: "2026-11-02T10:00:02.000Z",
        nextAttemptAt: "2026-11-02T16:00:00Z",
        succeededAt: null,
        lastReason: "TooRecent",
        lastMessage: "click younger than 6 hours for a***@example.de"
      }
    ])
    expect(() => encode(view)).not.toThrow()
  })

  it("shows personal data in clear to a reader who may see it", () => {
    const view = toOrderView(dispatched, { reveal: true })
    expect(view.customer).toEqual(order.customer)
    expect(view.masked).toBe(false)
    expect(view.targets[0]!.lastMessage).toContain("anna.mueller@example.de")
  })

  it("shows an ignored order as ignored, with the reason", () => {
    const test = makeOrder("DE", {
      orderKey: "shop-de:1045",
      test: true,
      value: { amountMinor: 1200, currency: "JPY" }
    })
    const view = toOrderView(
      fold("shop-de:1045", [
        { _tag: "OrderNormalized", webhookId: "wh-3", order: test, parserVersion: 1 },
        {
          _tag: "OrderIgnored",
          webhookId: "wh-3",
          orderKey: "shop-de:1045",
          reason: "test_order",
          detail: "Shopify test order"
        }
      ]),
      { reveal: false }
    )
    expect(view).toMatchObject({
      status: "ignored",
      ignored: { reason: "test_order", detail: "Shopify test order" },
      test: true,
      value: { amount: "1200", currency: "JPY" },
      dispatchState: "none",
      targets: []
    })
  })

  it("shows an order known only from a payment update, without details", () => {
    const view = toOrderView(
      fold("shop-de:4526", [
        {
          _tag: "PaymentUpdated",
          webhookId: "wh-4",
          orderKey: "shop-de:4526",
          from: "pending",
          to: "paid",
          paidAt: "2026-11-02T09:00:00Z",
          viaSource: "stripe-main"
        }
      ]),
      { reveal: false }
    )
    expect(view).toMatchObject({
      orderKey: "shop-de:4526",
      sourceId: "shop-de",
      company: null,
      value: null,
      customer: null,
      tracking: null,
      products: [],
      status: "paid",
      paidAt: "2026-11-02T09:00:00Z",
      hasClickId: false,
      missingTracking: true
    })
    expect(() => encode(view)).not.toThrow()
  })
})
