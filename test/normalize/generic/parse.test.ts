import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { normalizeWebhook } from "../../../src/normalize/normalize.js"
import { context, normalizeFixture, observed, SOURCES, webhook } from "../support.js"

const web = SOURCES.generic
const outcomeOf = (path: string, topic?: string) => observed(normalizeFixture(`generic/${path}`, web, topic))
const send = (body: unknown, topic?: string) =>
  normalizeWebhook(webhook(web.id, JSON.stringify(body), topic), context(web))
const minimal = { id: "A-1", placedAt: "2024-12-01T10:00:00Z", currency: "EUR", total: "10.00" }

describe("generic orders: given the document, then", () => {
  it("reads a complete paid order", () => {
    const outcome = outcomeOf("order-paid.json")
    expect(outcome).toMatchObject({ orderKey: "web:WEB-2024-000815", paidAt: "2024-12-03T15:21:02.000Z", topic: "" })
    expect(outcome.snapshot).toMatchObject({
      platform: "generic",
      orderNumber: "815",
      status: "paid",
      market: "DE",
      partner: "google",
      products: ["omega", "vitamins"],
      value: { amountMinor: 8970, currency: "EUR" },
      clientIp: "203.0.113.201",
      consent: { adUserData: "granted", adPersonalization: "denied", source: "generic:consent" },
      tags: ["web", "newsletter"],
      customer: {
        email: "Anna.Schmidt@Example.de",
        phone: "+49 (0) 30 1234567",
        country: "DE",
        region: "HH",
        externalId: "c-55120"
      },
      tracking: {
        coupon: "WINTER5",
        referrer: "https://www.google.de/",
        utm: { source: "google", medium: "cpc", campaign: "de_shopping_omega", term: "omega 3 kapseln" }
      }
    })
  })

  it.each<[string, string | undefined, string, boolean]>([
    ["order-pending.json", undefined, "pending", false],
    ["order-refunded.json", undefined, "refunded", true],
    ["order-cancelled.json", undefined, "cancelled", false],
    ["order-test-chf.json", undefined, "paid", true]
  ])("%s -> %s", (path, topic, status, paid) => {
    const outcome = outcomeOf(path, topic)
    expect(outcome.snapshot?.status).toBe(status)
    expect(outcome.paidAt !== undefined).toBe(paid)
  })

  it("lists refunds with their ids and times", () => {
    expect(outcomeOf("order-refunded.json").refunds).toEqual([
      { id: "R-1", amountMinor: 3490, currency: "EUR", at: "2024-12-08T10:00:00.000Z" },
      { id: "R-2", amountMinor: 5480, currency: "EUR", at: "2024-12-10T08:00:00.000Z" }
    ])
  })

  it("separates the shop currency and honours the test flag", () => {
    const outcome = outcomeOf("order-test-chf.json")
    expect(outcome.snapshot).toMatchObject({
      value: { amountMinor: 5900, currency: "CHF" },
      shopValue: { amountMinor: 6285, currency: "EUR" },
      test: true
    })
    expect(outcome.ignore).toEqual({ reason: "test_order", detail: "platform test flag (generic test: true)" })
  })

  it("finds tracking in attributes and in the landing URL when not stated", () => {
    const snapshot = outcomeOf("order-attributes.json").snapshot!
    expect(snapshot.tracking.clickIds).toEqual({
      partnerize_clickref: "1011l3kLmNoP",
      awc: "5566_1733517900_9f8e7d6c5b4a39281706f5e4d3c2b1a0",
      irclickid: "Tz1XyZ2aBcDeFg3hIjKlMn",
      sub1: "topcashback"
    })
    expect(snapshot.partner).toBe("awin")
    expect(snapshot.consent).toEqual({
      adUserData: "granted",
      adPersonalization: "granted",
      source: "attribute:consent"
    })
    expect(snapshot.clientIp).toBe("2001:db8::42")
  })

  it("prices yen without decimals", () => {
    expect(outcomeOf("order-jpy.json").snapshot).toMatchObject({
      value: { amountMinor: 12800, currency: "JPY" },
      market: "JP"
    })
  })

  it.each<[string | undefined, Record<string, unknown>, string, boolean]>([
    ["order.paid", {}, "paid", true],
    ["order.created", {}, "pending", false],
    ["order.refunded", {}, "refunded", true],
    ["order.cancelled", {}, "cancelled", false],
    [undefined, { paidAt: "2024-12-01T10:05:00Z" }, "paid", true],
    [undefined, { topic: "order.paid" }, "paid", true],
    ["order.paid", { status: "pending" }, "pending", false]
  ])("topic %j and %j -> %s", (topic, extra, status, paid) => {
    const outcome = observed(send({ ...minimal, ...extra }, topic))
    expect(outcome.snapshot?.status).toBe(status)
    expect(outcome.paidAt !== undefined).toBe(paid)
  })

  it("needs only id, placedAt, currency and total", () => {
    expect(observed(send(minimal)).snapshot).toMatchObject({
      orderKey: "web:A-1",
      lineItems: [],
      tags: [],
      customer: {},
      market: "DE"
    })
  })
})

describe("generic documents that cannot be normalized", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["amounts as JSON numbers", { total: 10.5 }, 'total: not a decimal string like "19.99"'],
    ["negative total", { total: "-1.00" }, 'total: not a decimal string like "19.99"'],
    [
      "an item price with a comma",
      { items: [{ quantity: 1, price: "9,99" }] },
      'items[0].price: not a decimal string like "19.99"'
    ],
    [
      "an unknown status",
      { status: "shipped" },
      'status: not one of "pending", "paid", "partially_refunded", "refunded", "cancelled"'
    ],
    ["a time without offset", { placedAt: "2024-12-01 10:00" }, "placedAt: not an ISO 8601 time with offset"],
    ["a bad paidAt", { paidAt: "tomorrow" }, "paidAt: not an ISO 8601 time with offset"],
    ["a bad currency", { currency: "euro" }, "currency: not an ISO 4217 currency code"],
    ["a bad shop currency", { shopCurrency: "€", shopTotal: "1.00" }, "shopCurrency: not an ISO 4217 currency code"],
    [
      "consent that is not granted/denied",
      { consent: { adUserData: "yes" } },
      'consent.adUserData: not one of "granted", "denied"'
    ],
    ["no id", { id: undefined }, "id: is missing"]
  ])("%s", (_, change, reason) => {
    expect(send({ ...minimal, ...change })).toMatchObject({ _tag: "Failed", reason })
  })

  it("reports the fixture with a numeric total", () => {
    expect(normalizeFixture("generic/order-invalid-amount.json", web)).toEqual({
      _tag: "Failed",
      reason: 'total: not a decimal string like "19.99"',
      path: "total",
      parserVersion: 1
    })
  })

  it("accepts the example of the format's README as documented", () => {
    const readme = readFileSync(
      fileURLToPath(new URL("../../../src/normalize/generic/README.md", import.meta.url)),
      "utf8"
    )
    const example = /```json\n([\s\S]*?)```/.exec(readme)?.[1] ?? ""
    const outcome = observed(send(JSON.parse(example)))
    expect(outcome.snapshot).toMatchObject({
      orderKey: "web:WEB-2024-000815",
      status: "paid",
      value: { amountMinor: 8970, currency: "EUR" },
      partner: "awin",
      tracking: { clickIds: { awc: "5566_1733517900_9f8e7d6c5b4a39281706f5e4d3c2b1a0" } }
    })
  })
})
