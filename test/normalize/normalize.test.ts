import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Source } from "../../src/events/configSchema.js"
import { normalizeWebhook, PARSER_VERSION, withOrderKey } from "../../src/normalize/normalize.js"
import { context, fixtureText, normalizeFixture, observed, SOURCES, source, webhook } from "./support.js"

describe("normalizeWebhook: the entry point", () => {
  it("records a body that is not JSON as a failure, never a drop", () => {
    expect(normalizeWebhook(webhook("shop-de", '{"id": 1,', "orders/paid"), context(SOURCES.shopDe))).toMatchObject({
      _tag: "Failed",
      reason: expect.stringMatching(/^body is not valid JSON: /),
      parserVersion: PARSER_VERSION
    })
  })

  it("refuses JSON nested beyond the parser's limit", () => {
    const deep = `${"[".repeat(100)}${"]".repeat(100)}`
    expect(normalizeWebhook(webhook("web", deep), context(SOURCES.generic))).toMatchObject({
      _tag: "Failed",
      reason: "body is not valid JSON: nesting deeper than 64 levels"
    })
  })

  it("decodes a base64 body (bytes that were not valid UTF-8 at ingest)", () => {
    const text = fixtureText("generic/order-paid.json")
    const input = webhook("web", text)
    const outcome = normalizeWebhook(
      { ...input, body: { ...input.body, encoding: "base64", text: Buffer.from(text, "utf8").toString("base64") } },
      context(SOURCES.generic)
    )
    expect(observed(outcome).orderKey).toBe("web:WEB-2024-000815")
  })

  it("honours ingest's reading of the platform test mode", () => {
    const input = webhook("web", fixtureText("generic/order-paid.json"), undefined, { testMode: true })
    expect(observed(normalizeWebhook(input, context(SOURCES.generic))).ignore).toEqual({
      reason: "test_order",
      detail: "platform test flag (webhook test mode)"
    })
  })

  it("carries the topic and the parser version", () => {
    expect(normalizeFixture("shopify/orders-paid.json", SOURCES.shopDe, "orders/paid")).toMatchObject({
      topic: "orders/paid",
      parserVersion: PARSER_VERSION,
      sourceId: "shop-de"
    })
  })

  it("applies the source's tracking overrides", () => {
    const src = source({ id: "shop-de", kind: "shopify", market: "DE", tracking: { gclid: ["_ga"] } })
    const outcome = normalizeWebhook(
      webhook("shop-de", fixtureText("shopify/orders-paid.json"), "orders/paid"),
      context(src)
    )
    expect(observed(outcome).snapshot?.tracking.gclid).toBe("GA1.1.1234567890.1732871500")
  })

  it("uses the billing source's own company and market when the shop source it names is unknown", () => {
    const billing = source({ id: "paddle-x", kind: "paddle", company: "billing", market: "AT", ordersOf: "gone" })
    const outcome = normalizeWebhook(
      webhook("paddle-x", fixtureText("paddle/transaction-completed-shop-order.json")),
      context(billing)
    )
    expect(observed(outcome)).toMatchObject({
      orderKey: "gone:5678901234567",
      snapshot: { company: "billing", market: "AT" }
    })
  })

  it("moves an outcome to the key its billing alias resolves to", () => {
    const refund = observed(normalizeFixture("paddle/adjustment-created.json", SOURCES.paddleShop))
    const moved = withOrderKey(refund, "shop-de:5678901234567")
    expect(moved).toMatchObject({ orderKey: "shop-de:5678901234567", keyFrom: "payload", refunds: refund.refunds })
    const payment = observed(normalizeFixture("paddle/transaction-completed.json", SOURCES.paddleShop))
    expect(withOrderKey(payment, "shop-de:1").snapshot?.orderKey).toBe("shop-de:1")
  })

  it("is deterministic: the same webhook gives a deeply equal outcome", () => {
    const a = normalizeFixture("shopify/orders-paid-presentment.json", SOURCES.shopDe, "orders/paid")
    const b = normalizeFixture("shopify/orders-paid-presentment.json", SOURCES.shopDe, "orders/paid")
    expect(b).toEqual(a)
    expect(b).not.toBe(a)
  })
})

describe("config: Source.tracking overrides", () => {
  it("decode with only the fields a source overrides, and reject unknown fields", () => {
    const decode = Schema.decodeUnknownEither(Source, { onExcessProperty: "error" })
    expect(
      Either.isRight(
        decode({ id: "shop-de", kind: "shopify", company: "acme", tracking: { gclid: ["_ga_gclid"], sub1: ["s1"] } })
      )
    ).toBe(true)
    expect(
      Either.isRight(decode({ id: "shop-de", kind: "shopify", company: "acme", tracking: { gclidd: ["x"] } }))
    ).toBe(false)
  })
})
