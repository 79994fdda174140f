import { describe, expect, it } from "vitest"
import { schemes } from "../../../src/ingest/sources/index.js"
import { isWooCommercePing } from "../../../src/ingest/sources/woocommerce.js"
import { parseJson } from "../../../src/lib/json.js"
import { hmac, request } from "./request.js"

const woo = schemes.woocommerce

const order = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 727,
    number: "727",
    status: "processing",
    currency: "EUR",
    date_modified: "2024-05-01T13:59:58",
    date_modified_gmt: "2024-05-01T11:59:58",
    total: "49.90",
    refunds: [],
    ...fields
  })

const headers = (body: string, extra: Record<string, string> = {}) => ({
  "x-wc-webhook-source": "https://shop.example/",
  "x-wc-webhook-topic": "order.updated",
  "x-wc-webhook-resource": "order",
  "x-wc-webhook-event": "updated",
  "x-wc-webhook-signature": hmac("wc-secret", body).toString("base64"),
  "x-wc-webhook-id": "12",
  "x-wc-webhook-delivery-id": "8e4b0f5c1d2a3b4c5d6e7f8091a2b3c4",
  ...extra
})

const keyOf = (body: string, extra: Record<string, string> = {}) => {
  const parsed = parseJson(body)
  if (!parsed.ok) throw new Error(parsed.error)
  const result = woo.describe(request({ body, headers: headers(body, extra) }), parsed.value)
  if (!result.ok) throw new Error(result.error)
  return result.dedupKey
}

describe("woocommerce creation ping", () => {
  const ping = (body: string, contentType: string | undefined) => request({ body, contentType: contentType ?? "" })

  it.each([
    ["webhook_id=12", "application/x-www-form-urlencoded"],
    ["webhook_id=987654", "application/x-www-form-urlencoded; charset=UTF-8"],
    ["webhook_id=1", "Application/X-WWW-Form-Urlencoded"]
  ])("recognises %s sent as %s", (body, contentType) => {
    expect(isWooCommercePing(ping(body, contentType))).toBe(true)
    expect(woo.isPing?.(ping(body, contentType))).toBe(true)
  })

  it.each([
    ["the ping body sent as JSON", "webhook_id=12", "application/json"],
    ["no content type", "webhook_id=12", undefined],
    ["a second form field", "webhook_id=12&status=active", "application/x-www-form-urlencoded"],
    ["a non-numeric id", "webhook_id=abc", "application/x-www-form-urlencoded"],
    ["an empty id", "webhook_id=", "application/x-www-form-urlencoded"],
    ["a trailing newline", "webhook_id=12\n", "application/x-www-form-urlencoded"],
    ["another field name", "webhook=12", "application/x-www-form-urlencoded"],
    ["an absurdly long id", `webhook_id=${"9".repeat(40)}`, "application/x-www-form-urlencoded"],
    ["a signed order payload", order(), "application/json"]
  ])("does not take %s for a ping", (_, body, contentType) => {
    expect(isWooCommercePing(ping(body, contentType))).toBe(false)
  })

  it("is the only scheme with a ping", () => {
    expect(Object.values(schemes).filter((s) => s.isPing !== undefined)).toEqual([woo])
  })
})

describe("woocommerce deliveries", () => {
  it("verifies a signed order", () => {
    const body = order()
    expect(woo.verify(request({ body, headers: headers(body) }), ["wc-secret"], 0)).toEqual({
      ok: true,
      secretIndex: 0
    })
    expect(woo.verify(request({ body, headers: headers(body) }), ["wrong"], 0)).toMatchObject({
      reason: "bad_signature"
    })
  })

  it("keys on resource, id, status and date_modified, with the topic from the header", () => {
    const body = order()
    expect(keyOf(body)).toBe("order:727:processing:2024-05-01T13:59:58")
    const parsed = parseJson(body)
    expect(parsed.ok && woo.describe(request({ body, headers: headers(body) }), parsed.value)).toEqual({
      ok: true,
      dedupKey: "order:727:processing:2024-05-01T13:59:58",
      topic: "order.updated",
      testMode: undefined
    })
  })

  it("gives a redelivery of the same state the same key although the delivery id changes", () => {
    const body = order()
    expect(keyOf(body, { "x-wc-webhook-delivery-id": "0000000000000000aaaaaaaaaaaaaaaa" })).toBe(keyOf(body))
    expect(keyOf(body, { "x-wc-webhook-topic": "order.created", "x-wc-webhook-event": "created" })).toBe(keyOf(body))
  })

  it("changes the key when date_modified or status changes", () => {
    const base = keyOf(order())
    expect(keyOf(order({ date_modified: "2024-05-01T13:59:59" }))).not.toBe(base)
    expect(keyOf(order({ status: "completed" }))).not.toBe(base)
    expect(keyOf(order({ id: 728 }))).not.toBe(base)
  })

  it("changes the key when a partial refund leaves status and date_modified unchanged", () => {
    const before = keyOf(order({ status: "completed" }))
    const refunded = keyOf(order({ status: "completed", refunds: [{ id: 731, reason: "", total: "-10.00" }] }))
    expect(refunded).toBe("order:727:completed:2024-05-01T13:59:58:refunds=731")
    expect(refunded).not.toBe(before)
    const twice = order({ status: "completed", refunds: [{ id: 733 }, { id: 731 }] })
    expect(keyOf(twice)).toBe("order:727:completed:2024-05-01T13:59:58:refunds=731,733")
  })

  it("records deletions and payloads without id or date without a key", () => {
    const deleted = '{"id":727}'
    expect(keyOf(deleted, { "x-wc-webhook-topic": "order.deleted", "x-wc-webhook-event": "deleted" })).toBeUndefined()
    expect(keyOf('{"id":727,"status":"processing"}')).toBeUndefined()
    expect(keyOf('{"action":"woocommerce_payment_complete","arg":727}')).toBeUndefined()
    expect(keyOf("[]")).toBeUndefined()
  })

  it("falls back to the topic for the resource and to date_modified_gmt for the date", () => {
    const body = order({ date_modified: undefined })
    expect(keyOf(body, { "x-wc-webhook-resource": "" })).toBe("order:727:processing:2024-05-01T11:59:58")
  })

  it("keeps the WooCommerce delivery headers but not the signature", () => {
    expect(woo.keptHeaders).toEqual([
      "x-wc-webhook-topic",
      "x-wc-webhook-resource",
      "x-wc-webhook-event",
      "x-wc-webhook-source",
      "x-wc-webhook-id",
      "x-wc-webhook-delivery-id"
    ])
  })
})
