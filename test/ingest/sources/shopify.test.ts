import { describe, expect, it } from "vitest"
import { keptHeaders, schemes } from "../../../src/ingest/sources/index.js"
import { parseJson } from "../../../src/lib/json.js"
import { hmac, request } from "./request.js"

const shopify = schemes.shopify

// Shopify's sample order (#1001), trimmed; ids beyond 2^53 are why bodies go through parseJson.
const ORDER = JSON.stringify({ id: 450789469, name: "#1001", test: false, financial_status: "paid" }).replace(
  "450789469",
  "820982911946154508"
)

const HEADERS = {
  "x-shopify-topic": "orders/paid",
  "x-shopify-shop-domain": "acme-de.myshopify.com",
  "x-shopify-api-version": "2025-07",
  "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
  "x-shopify-event-id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
  "x-shopify-triggered-at": "2025-07-01T10:00:00.000Z",
  "x-shopify-hmac-sha256": hmac("s3cret", ORDER).toString("base64")
}

const describeWith = (headers: Record<string, string>, body = ORDER) => {
  const req = request({ body, headers })
  const parsed = parseJson(body)
  if (!parsed.ok) throw new Error(parsed.error)
  return shopify.describe(req, parsed.value)
}

describe("shopify", () => {
  it("verifies a signed order and describes it by its webhook id and topic", () => {
    expect(shopify.verify(request({ body: ORDER, headers: HEADERS }), ["s3cret"], 0).ok).toBe(true)
    expect(describeWith(HEADERS)).toEqual({
      ok: true,
      dedupKey: "webhook:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
      topic: "orders/paid",
      testMode: false
    })
  })

  it("gives a retry of the same delivery the same key, and another delivery of the same action another", () => {
    const retry = describeWith({ ...HEADERS, "x-shopify-triggered-at": "2025-07-01T10:05:00.000Z" })
    expect(retry).toMatchObject({ dedupKey: "webhook:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043" })
    // orders/create from the same checkout shares the Event-Id but must not be taken for a duplicate.
    const sibling = describeWith({ ...HEADERS, "x-shopify-topic": "orders/create", "x-shopify-webhook-id": "other" })
    expect(sibling).toMatchObject({ dedupKey: "webhook:other" })
  })

  it("falls back to the event id scoped by topic when there is no webhook id", () => {
    const { "x-shopify-webhook-id": _, ...withoutWebhookId } = HEADERS
    expect(describeWith(withoutWebhookId)).toMatchObject({
      dedupKey: "event:orders/paid:98880550-7158-44d4-b7cd-2c97c8a091b5"
    })
    const created = describeWith({ ...withoutWebhookId, "x-shopify-topic": "orders/create" })
    expect(created).toMatchObject({ dedupKey: "event:orders/create:98880550-7158-44d4-b7cd-2c97c8a091b5" })
  })

  it("has no dedup key when neither id is usable, so nothing is wrongly merged", () => {
    const { "x-shopify-webhook-id": _w, "x-shopify-event-id": _e, ...none } = HEADERS
    expect(describeWith(none)).toMatchObject({ ok: true, dedupKey: undefined })
    expect(describeWith({ ...none, "x-shopify-webhook-id": "bad\u0000id" })).toMatchObject({ dedupKey: undefined })
    expect(describeWith({ ...none, "x-shopify-webhook-id": "x".repeat(256) })).toMatchObject({ dedupKey: undefined })
  })

  it("reads the test flag of test orders and leaves it unknown for other resources", () => {
    expect(describeWith(HEADERS, '{"id":1,"test":true}')).toMatchObject({ testMode: true })
    expect(describeWith(HEADERS, '{"id":1,"title":"T-Shirt"}')).toMatchObject({ testMode: undefined })
    expect(describeWith(HEADERS, "[1,2]")).toMatchObject({ ok: true, testMode: undefined })
  })

  it("keeps the delivery headers for audit but never the signature", () => {
    const kept = keptHeaders(shopify, { ...HEADERS, authorization: "Bearer x", cookie: "a=b" })
    expect(Object.keys(kept).sort()).toEqual([
      "x-shopify-api-version",
      "x-shopify-event-id",
      "x-shopify-shop-domain",
      "x-shopify-topic",
      "x-shopify-triggered-at",
      "x-shopify-webhook-id"
    ])
  })
})
