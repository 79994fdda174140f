// Partner conditions in s2s.yaml: field names with digits (sub1..sub5) are valid, and a
// transaction_id condition holds for the click id tracking.ts keeps under `clickid`.
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { PartnerRule } from "../../src/events/configSchema.js"
import { partnerFor } from "../../src/normalize/identity.js"
import { normalizeWebhook } from "../../src/normalize/normalize.js"
import { context, normalizeFixture, observed, SOURCES, webhook } from "./support.js"

const decode = Schema.decodeUnknownEither(PartnerRule)

describe("PartnerCondition", () => {
  it.each(["sub1", "sub5=creator-*", "gclid", "utm_source=google", "transaction_id", "cjevent"])(
    "accepts %s",
    (condition) => {
      expect(Either.isRight(decode({ id: "p", when: [condition] }))).toBe(true)
    }
  )
  it.each(["Sub1", "=x", "utm source=google", ""])("rejects %j", (condition) => {
    expect(Either.isLeft(decode({ id: "p", when: [condition] }))).toBe(true)
  })
})

describe("transaction_id and sub conditions on real payloads", () => {
  const rules = Schema.decodeUnknownSync(Schema.Array(PartnerRule))([
    { id: "everflow", when: ["transaction_id"] },
    { id: "creator", when: ["sub2=lena"] }
  ])

  it("a transaction_id in the landing URL makes the order Everflow's", () => {
    const body = JSON.stringify({
      id: "T-1",
      topic: "order.paid",
      status: "paid",
      currency: "EUR",
      total: "10.00",
      placedAt: "2024-12-01T10:00:00Z",
      items: [],
      tracking: { landingUrl: "https://shop.example/?transaction_id=102abc&sub2=lena" }
    })
    const outcome = normalizeWebhook(webhook("web", body), context(SOURCES.generic, { partners: rules }))
    const order = observed(outcome).snapshot
    expect(order?.tracking.clickIds).toMatchObject({ clickid: "102abc", sub2: "lena" })
    expect(order?.partner).toBe("everflow")
    expect(partnerFor(order!.tracking, rules.slice(1))?.partner).toBe("creator")
  })

  it("sub1 in Shopify note attributes matches a sub1 rule", () => {
    const subRules = Schema.decodeUnknownSync(Schema.Array(PartnerRule))([{ id: "aff", when: ["sub1"] }])
    const order = observed(
      normalizeFixture("shopify/orders-paid-cad.json", SOURCES.shopCa, "orders/paid", { partners: subRules })
    ).snapshot
    expect(order?.tracking.clickIds.sub1).toBeDefined()
    expect(order?.partner).toBe("aff")
  })
})
