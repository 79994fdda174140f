// One order's stream as the pipeline records it (OrderNormalized with a ~1 KB canonical order,
// PaymentUpdated, DispatchPlanned, then DispatchAttempted + DispatchSucceeded for Google, Meta and a
// postback), built with the event schemas (encodeEvent) so every stored row decodes. `__N__` in the
// encoded text stands for the order number; SQL replaces it to make distinct orders.
import type { CanonicalOrder } from "../../src/events/CanonicalOrder.js"
import type { AppEvent } from "../../src/events/Events.js"
import { encodeEvent } from "../../src/events/Events.js"

export const N = "__N__"
export const ORDER_KEY = `shop-bench:${N}`

const order: CanonicalOrder = {
  orderKey: ORDER_KEY,
  sourceId: "shop-bench",
  platform: "shopify",
  platformOrderId: N,
  orderNumber: `#${N}`,
  company: "acme",
  market: "DE",
  products: ["vitamins"],
  partner: "google",
  status: "paid",
  value: { amountMinor: 6326, currency: "EUR" },
  refundedMinor: 0,
  lineItems: [
    {
      productId: "8123456789011",
      variantId: "45123456789011",
      sku: "VIT-D3-1000",
      name: "Vitamin D3 1000 IU - 120 Tabletten",
      quantity: 2,
      priceMinor: 1995,
      product: "vitamins"
    },
    {
      productId: "8123456789012",
      variantId: "45123456789012",
      sku: "VIT-OMG-60",
      name: "Omega-3 Capsules - 60 Kapseln",
      quantity: 1,
      priceMinor: 2495,
      product: "vitamins"
    }
  ],
  customer: {
    email: `customer${N}@example.de`,
    phone: "+49 151 23456789",
    firstName: "Lena",
    lastName: "Müller",
    city: "Berlin",
    zip: "10115",
    country: "DE",
    externalId: `70123450${N}`
  },
  placedAt: "2026-11-25T10:15:03.000Z",
  paidAt: "2026-11-25T10:15:03.000Z",
  updatedAt: "2026-11-25T10:15:04.000Z",
  clientIp: "203.0.113.42",
  userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36",
  consent: { adUserData: "granted", adPersonalization: "granted", source: "shopify:buyer_accepts_marketing" },
  tracking: {
    gclid: `Cj0KCQiAgJa6BhCOARIsAMiL7V8x${N}`,
    fbc: `fb.1.1764065583000.IwAR2xBench${N}`,
    clickIds: { awc: `1001_1764065583_${N}` },
    utm: { source: "google", medium: "cpc", campaign: "de_brand_search" },
    landingUrl: `/products/vitamin-d3?gclid=Cj0KCQiAgJa6BhCOARIsAMiL7V8x${N}&awc=1001_1764065583_${N}&utm_source=google`,
    referrer: "https://www.google.com/",
    coupon: "WELCOME10"
  },
  tags: [],
  test: false
}

const webhookId = `0b6c2f4e-${N}-8000-8000-00000000bench`

const targets = [
  { targetId: "google-bench", channel: "google-ads", ruleId: "google-all" },
  { targetId: "meta-bench", channel: "meta-capi", ruleId: "meta-all" },
  { targetId: "awin-bench", channel: "postback", ruleId: "awin-all" }
] as const

const exchangeFor = (channel: string) => ({
  request: {
    method: channel === "postback" ? "GET" : "POST",
    url:
      channel === "google-ads"
        ? "https://datamanager.googleapis.com/v1/events:ingest"
        : channel === "meta-capi"
          ? "https://graph.facebook.com/v25.0/1234567890/events?access_token=%5Bredacted%5D"
          : `https://www.awin1.com/sread.php?tt=ss&merchant=1001&amount=63.26&cr=EUR&ref=${N}&cks=1001_1764065583_${N}`,
    headers: { "content-type": "application/json", authorization: "[redacted]" },
    ...(channel === "postback"
      ? {}
      : {
          body: JSON.stringify({
            events: [
              {
                transactionId: N,
                eventTimestamp: "2026-11-25T10:15:03.000Z",
                conversionValue: 63.26,
                currency: "EUR",
                userData: { userIdentifiers: [{ emailAddress: "5d41402abc4b2a76b9719d911017c592" }] },
                adIdentifiers: { gclid: `Cj0KCQiAgJa6BhCOARIsAMiL7V8x${N}` },
                consent: { adUserData: "CONSENT_GRANTED", adPersonalization: "CONSENT_GRANTED" }
              }
            ]
          })
        })
  },
  response: {
    status: 200,
    headers: { "content-type": "application/json" },
    body: channel === "postback" ? "OK" : '{"requestId":"bench"}',
    truncated: false
  },
  durationMs: 42
})

/** The events of one order stream, in stream order. */
export const orderStreamTemplate = (): ReadonlyArray<AppEvent> => [
  { _tag: "OrderNormalized", webhookId, order, parserVersion: 1 },
  {
    _tag: "PaymentUpdated",
    webhookId,
    orderKey: ORDER_KEY,
    from: "pending",
    to: "paid",
    paidAt: "2026-11-25T10:15:03.000Z"
  },
  {
    _tag: "DispatchPlanned",
    orderKey: ORDER_KEY,
    targets: targets.map((t) => ({ ...t, kind: "conversion" as const })),
    decisions: targets.map((t) => ({
      ruleId: t.ruleId,
      outcome: "matched" as const,
      detail: `routes to ${t.targetId}`
    })),
    trigger: "paid"
  },
  ...targets.flatMap(
    (t): Array<AppEvent> => [
      {
        _tag: "DispatchAttempted",
        orderKey: ORDER_KEY,
        targetId: t.targetId,
        kind: "conversion",
        attempt: 1,
        channel: t.channel,
        exchanges: [exchangeFor(t.channel)],
        durationMs: 45,
        trigger: "scheduled"
      },
      {
        _tag: "DispatchSucceeded",
        orderKey: ORDER_KEY,
        targetId: t.targetId,
        kind: "conversion",
        attempt: 1,
        dedupKey: N,
        alreadyRecorded: false,
        detail: "requestId=bench"
      }
    ]
  )
]

/** The stored form of the template: type and data text (with `__N__`), in stream order. */
export const storedTemplate = () =>
  orderStreamTemplate().map((event) => {
    const { type, schemaVersion, data } = encodeEvent(event)
    return { type, schemaVersion, data: JSON.stringify(data) }
  })
