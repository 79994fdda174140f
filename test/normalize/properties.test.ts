// Properties of normalization and the decider over real-shaped inputs: normalization never throws and
// is deterministic even on mangled payloads; decide is idempotent and agrees with merge; created/paid
// pairs and whole lifecycles end in the same state in any arrival order.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { STATUS_RANK } from "../../src/conversion/status.js"
import { decide, foldOrder, merge, normalizeWebhook, type OrderState } from "../../src/normalize/normalize.js"
import type { NormalizationOutcome } from "../../src/normalize/outcome.js"
import { run, shopify } from "./decider/support.js"
import { context, fixtureJson, fixtureText, normalizeFixture, observed, SOURCES, webhook } from "./support.js"

type SourceName = keyof typeof SOURCES
const FIXTURES: ReadonlyArray<[string, SourceName, string | undefined]> = [
  ["shopify/orders-create.json", "shopDe", "orders/create"],
  ["shopify/orders-paid.json", "shopDe", "orders/paid"],
  ["shopify/orders-updated-partially-refunded.json", "shopDe", "orders/updated"],
  ["shopify/orders-paid-presentment.json", "shopDe", "orders/paid"],
  ["shopify/orders-paid-cad.json", "shopCa", "orders/paid"],
  ["shopify/refunds-create-full.json", "shopDe", "refunds/create"],
  ["woocommerce/order-created.json", "wooPl", "order.created"],
  ["woocommerce/order-updated-partial-refund.json", "wooPl", "order.updated"],
  ["stripe/checkout-session-completed.json", "stripe", undefined],
  ["stripe/invoice-paid.json", "stripe", undefined],
  ["stripe/charge-refunded-full.json", "stripe", undefined],
  ["paddle/transaction-completed.json", "paddle", undefined],
  ["paddle/adjustment-updated.json", "paddle", undefined],
  ["generic/order-paid.json", "generic", undefined],
  ["generic/order-attributes.json", "generic", undefined]
]

// Replaces the value at a random path of a JSON document.
const mutate = (doc: unknown, path: ReadonlyArray<number>, value: unknown): unknown => {
  if (path.length === 0 || doc === null || typeof doc !== "object") return value
  const entries = Array.isArray(doc) ? doc.map((v, i) => [String(i), v] as const) : Object.entries(doc)
  if (entries.length === 0) return value
  const [head = 0, ...rest] = path
  const [key, child] = entries[head % entries.length]!
  const copy: Record<string, unknown> | Array<unknown> = Array.isArray(doc) ? [...doc] : { ...doc }
  ;(copy as Record<string, unknown>)[key] = mutate(child, rest, value)
  return copy
}

describe("normalizeWebhook", () => {
  it("never throws and is deterministic on mangled real payloads", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(null), fc.string(), fc.double(), fc.constant("")),
        ([path, src, topic], at, value) => {
          const text = JSON.stringify(mutate(fixtureJson(path), at, value))
          const ctx = context(SOURCES[src])
          const first = normalizeWebhook(webhook(ctx.source.id, text, topic), ctx)
          const second = normalizeWebhook(webhook(ctx.source.id, text, topic), ctx)
          expect(second).toEqual(first)
          expect(["Observed", "Skipped", "Failed"]).toContain(first._tag)
        }
      ),
      { numRuns: 400 }
    )
  })

  it("never throws on arbitrary bodies and topics", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(SOURCES)),
        fc.oneof(fc.json(), fc.string()),
        fc.option(fc.string(), { nil: undefined }),
        (src, text, topic) => {
          const outcome = normalizeWebhook(webhook(src.id, text, topic), context(src))
          expect(["Observed", "Skipped", "Failed"]).toContain(outcome._tag)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("gives the same outcome for base64 and utf8 bodies", () => {
    for (const [path, src, topic] of FIXTURES) {
      const text = fixtureText(path)
      const ctx = context(SOURCES[src])
      const base64 = webhook(ctx.source.id, text, topic)
      const asBase64 = {
        ...base64,
        body: { ...base64.body, encoding: "base64" as const, text: Buffer.from(text).toString("base64") }
      }
      expect(normalizeWebhook(asBase64, ctx)).toEqual(normalizeWebhook(webhook(ctx.source.id, text, topic), ctx))
    }
  })
})

// A pool of outcomes about Shopify order #1042 from every source that can speak about it.
const pool = (): ReadonlyArray<NormalizationOutcome> => [
  shopify.created(),
  shopify.paid(),
  shopify.updated(),
  shopify.refundPartial(),
  shopify.updatedRefunded(),
  normalizeFixture("paddle/transaction-completed-shop-order.json", SOURCES.paddleShop),
  normalizeWebhook(webhook("shop-de", '{"id": 5678901234567}', "orders/delete"), context(SOURCES.shopDe)),
  { ...observed(shopify.refundPartial()), refunds: [{ id: "912345678999", amountMinor: 4081, currency: "EUR" }] },
  { _tag: "Skipped", reason: "customers/update", parserVersion: 1 }
]

// The basis names a webhook by its position in the run, which differs between arrival orders.
const withoutUpdatedAt = ({ basis: _b, ...state }: OrderState): unknown => {
  if (state.order === undefined) return state
  const { updatedAt: _, ...order } = state.order
  return { ...state, order }
}

describe("decide", () => {
  const outcomes = pool()
  const sequence = fc
    .array(fc.nat({ max: outcomes.length - 1 }), { maxLength: 8 })
    .map((ix) => ix.map((i) => outcomes[i]!))

  it("is idempotent: the same outcome twice changes nothing the second time", () => {
    fc.assert(
      fc.property(sequence, fc.nat({ max: outcomes.length - 1 }), (history, i) => {
        const { state } = run(history)
        const outcome = outcomes[i]!
        const once = foldOrder(decide(state, outcome, "a"), state)
        expect(decide(once, outcome, "b")).toEqual([])
      }),
      { numRuns: 300 }
    )
  })

  it("emits exactly the events that move the fold to merge's state", () => {
    fc.assert(
      fc.property(sequence, fc.nat({ max: outcomes.length - 1 }), (history, i) => {
        const { state } = run(history)
        const outcome = outcomes[i]!
        if (outcome._tag !== "Observed") return
        const events = decide(state, outcome, "w")
        const folded = foldOrder(events, state)
        const expected = events.length === 0 ? state : merge(state, outcome, "w")
        expect(folded).toEqual(expected)
      }),
      { numRuns: 300 }
    )
  })

  it("only moves the status forward", () => {
    fc.assert(
      fc.property(sequence, (history) => {
        let state = foldOrder([])
        for (const outcome of history) {
          const next = foldOrder(decide(state, outcome, "w"), state)
          expect(STATUS_RANK[next.status]).toBeGreaterThanOrEqual(STATUS_RANK[state.status])
          expect(next.refundedMinor).toBeGreaterThanOrEqual(state.refundedMinor)
          state = next
        }
      }),
      { numRuns: 300 }
    )
  })

  it("ends a Shopify lifecycle in the same state in any arrival order", () => {
    const lifecycle = [
      shopify.created(),
      shopify.paid(),
      shopify.updated(),
      shopify.refundPartial(),
      shopify.updatedRefunded()
    ]
    const reference = withoutUpdatedAt(run(lifecycle).state)
    fc.assert(
      fc.property(
        fc.shuffledSubarray(lifecycle, { minLength: lifecycle.length, maxLength: lifecycle.length }),
        (shuffled) => {
          expect(withoutUpdatedAt(run(shuffled).state)).toEqual(reference)
        }
      ),
      { numRuns: 120 }
    )
  })
})

describe("created/paid pairs end the same in either order", () => {
  const shopifyPair = fc.record({
    createdAt: fc.integer({ min: 0, max: 3600 }),
    paidAt: fc.integer({ min: 0, max: 3600 }),
    createdTags: fc.subarray(["vip", "gift", "repeat-customer"]),
    paidTags: fc.subarray(["vip", "gift", "repeat-customer"]),
    createdStatus: fc.constantFrom("pending", "authorized", "partially_paid"),
    paidStatus: fc.constantFrom("paid", "partially_refunded"),
    phone: fc.constantFrom(null, "+49 151 23456789", "0151 23456789")
  })

  const shopifyOutcome = (
    status: string,
    offset: number,
    tags: ReadonlyArray<string>,
    phone: string | null,
    topic: string
  ) => {
    const json = fixtureJson("shopify/orders-create.json")
    json.financial_status = status
    json.updated_at = new Date(Date.parse("2024-11-29T10:15:05+01:00") + offset * 1000).toISOString()
    json.tags = tags.join(", ")
    json.phone = phone
    return normalizeWebhook(webhook("shop-de", JSON.stringify(json), topic), context(SOURCES.shopDe))
  }

  it("for Shopify snapshots with any modification times and details", () => {
    fc.assert(
      fc.property(shopifyPair, (p) => {
        const created = shopifyOutcome(p.createdStatus, p.createdAt, p.createdTags, p.phone, "orders/create")
        const paid = shopifyOutcome(p.paidStatus, p.paidAt, p.paidTags, p.phone, "orders/paid")
        const forward = run([created, paid]).state
        const backward = run([paid, created]).state
        expect(withoutUpdatedAt(backward)).toEqual(withoutUpdatedAt(forward))
        expect(forward.status).toBe("paid")
      }),
      { numRuns: 300 }
    )
  })

  it("for generic orders with or without updatedAt", () => {
    const genericPair = fc.record({
      withTimes: fc.boolean(),
      createdMinute: fc.integer({ min: 0, max: 59 }),
      paidMinute: fc.integer({ min: 0, max: 59 }),
      total: fc.integer({ min: 0, max: 1_000_000 }),
      currency: fc.constantFrom("EUR", "CHF", "SEK", "PLN", "DKK", "GBP", "CAD", "USD", "JPY")
    })
    fc.assert(
      fc.property(genericPair, (p) => {
        const amount = p.currency === "JPY" ? String(p.total) : (p.total / 100).toFixed(2)
        const base = { id: "G-1", placedAt: "2024-12-01T10:00:00Z", currency: p.currency, total: amount }
        const at = (m: number) => `2024-12-01T10:${String(m).padStart(2, "0")}:00Z`
        const created = { ...base, status: "pending", ...(p.withTimes ? { updatedAt: at(p.createdMinute) } : {}) }
        const paid = {
          ...base,
          status: "paid",
          paidAt: at(p.paidMinute),
          ...(p.withTimes ? { updatedAt: at(p.paidMinute) } : {})
        }
        const send = (body: unknown) => normalizeWebhook(webhook("web", JSON.stringify(body)), context(SOURCES.generic))
        const forward = run([send(created), send(paid)]).state
        const backward = run([send(paid), send(created)]).state
        expect(withoutUpdatedAt(backward)).toEqual(withoutUpdatedAt(forward))
        expect(forward.order?.value.amountMinor).toBe(p.total)
        expect(forward.status).toBe("paid")
      }),
      { numRuns: 300 }
    )
  })

  it("for a shop's pending order and the billing payment naming it", () => {
    const billing = normalizeFixture("paddle/transaction-completed-shop-order.json", SOURCES.paddleShop)
    const forward = run([shopify.created(), billing]).state
    const backward = run([billing, shopify.created()]).state
    // The basis is the shop's snapshot either way ("wh-1" forward, "wh-2" backward).
    expect({ ...backward, basis: undefined }).toEqual({ ...forward, basis: undefined })
    expect(backward.basis?.webhookId).toBe("wh-2")
    expect(forward).toMatchObject({
      status: "paid",
      paidAt: "2024-11-30T08:01:40.554Z",
      order: { sourceId: "shop-de" }
    })
  })

  it("keeps the first payment time when both the shop and the billing source report a payment", () => {
    // "A later paid for an already paid order changes nothing": paidAt is the first one learned.
    const billing = normalizeFixture("paddle/transaction-completed-shop-order.json", SOURCES.paddleShop)
    expect(run([shopify.paid(), billing]).state.paidAt).toBe("2024-11-29T09:15:03.000Z")
    expect(run([billing, shopify.paid()]).state.paidAt).toBe("2024-11-30T08:01:40.554Z")
  })
})
