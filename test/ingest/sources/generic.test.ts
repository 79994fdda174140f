import { describe, expect, it } from "vitest"
import { schemes } from "../../../src/ingest/sources/index.js"
import { parseJson } from "../../../src/lib/json.js"
import { request } from "./request.js"

const generic = schemes.generic

const describeWith = (headers: Record<string, string>, body = '{"order_id":"A-1001","total":"49.90"}') => {
  const parsed = parseJson(body)
  if (!parsed.ok) throw new Error(parsed.error)
  return generic.describe(request({ body, headers }), parsed.value)
}

describe("generic sources", () => {
  it("authenticate by bearer token, so verify fails closed", () => {
    expect(generic.auth).toBe("bearer-token")
    const req = request({ body: "{}", headers: { authorization: "Bearer s2s_ingest_x" } })
    expect(generic.verify(req, ["anything"], 300_000)).toMatchObject({ ok: false, reason: "missing_signature" })
  })

  it("dedup on the Idempotency-Key header", () => {
    expect(describeWith({ "idempotency-key": "order-A-1001-paid" })).toEqual({
      ok: true,
      dedupKey: "order-A-1001-paid",
      topic: undefined,
      testMode: undefined
    })
    expect(describeWith({ "idempotency-key": "x".repeat(255) })).toMatchObject({ dedupKey: "x".repeat(255) })
  })

  it("have no dedup key without the header", () => {
    expect(describeWith({})).toMatchObject({ ok: true, dedupKey: undefined })
  })

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["too long", "x".repeat(256)],
    ["a control character", "key\u0001"],
    ["non-ASCII", "commande-é"]
  ])("refuse an Idempotency-Key that is %s", (_, key) => {
    expect(describeWith({ "idempotency-key": key })).toMatchObject({ ok: false })
  })

  it("take the topic from X-S2S-Topic, else from the body's topic or event", () => {
    expect(describeWith({ "x-s2s-topic": "order.paid" }, '{"topic":"ignored"}')).toMatchObject({ topic: "order.paid" })
    expect(describeWith({}, '{"topic":"order.refunded","event":"x"}')).toMatchObject({ topic: "order.refunded" })
    expect(describeWith({}, '{"event":"purchase"}')).toMatchObject({ topic: "purchase" })
    expect(describeWith({}, '{"event":{"name":"purchase"}}')).toMatchObject({ topic: undefined })
    expect(describeWith({}, "[]")).toMatchObject({ ok: true, topic: undefined })
  })

  it("keep the idempotency key and topic headers, never the token", () => {
    expect(generic.keptHeaders).toEqual(["idempotency-key", "x-s2s-topic"])
  })
})
