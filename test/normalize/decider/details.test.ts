// Details merge field by field: a later snapshot that lacks tracking, customer or line-item fields
// (Stripe's payment_intent.succeeded has no session metadata) never wipes what an earlier one found,
// in any arrival order; and a re-run of the webhook the details are based on replaces them.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { CanonicalOrder } from "../../../src/events/CanonicalOrder.js"
import type { PartnerRule } from "../../../src/events/configSchema.js"
import type { AppEvent } from "../../../src/events/Events.js"
import { decide, foldOrder } from "../../../src/normalize/normalize.js"
import type { Observed } from "../../../src/normalize/outcome.js"
import { observed } from "../support.js"
import { fx, given, run } from "./support.js"

const session = () => observed(fx("stripe/checkout-session-completed.json", "stripe"))
const intent = () => observed(fx("stripe/payment-intent-succeeded-after-session.json", "stripe"))
const subscription = () => observed(fx("stripe/checkout-session-completed-subscription.json", "stripe"))
const invoice = () => observed(fx("stripe/invoice-paid-no-metadata.json", "stripe"))
const tags = (events: ReadonlyArray<AppEvent>) => events.map((e) => e._tag)
const normalized = (events: ReadonlyArray<AppEvent>) =>
  events.find((e): e is Extract<AppEvent, { _tag: "OrderNormalized" }> => e._tag === "OrderNormalized")
const details = (order: CanonicalOrder | undefined) => {
  const { paidAt: _p, updatedAt: _u, ...rest } = order!
  return rest
}
const GCLID = "Cj0KCQiA_9u5BhCUARIsABbMSPvKx3zQ1nL8rT5yWc2mE7dH4sF6gJ0kP9oU3iB1aR8vN2tY5lXqAhZ-EALw_wcB"

const sessionFacts = {
  orderKey: "stripe-eu:pi_3QRsTuAbCdEf0123xYz45678",
  partner: "google",
  market: "FR",
  status: "paid",
  customer: { email: "camille.dubois@example.fr", city: "Lyon", zip: "69002", country: "FR", firstName: "Camille" },
  consent: { adUserData: "granted" },
  tracking: {
    gclid: GCLID,
    utm: { source: "google", medium: "cpc", campaign: "fr_generic_vitamins" },
    landingUrl: "https://www.acme-vitamins.com/fr/vitamine-d3"
  }
}

describe("Stripe lifecycles keep the session's tracking", () => {
  it("the payment intent arrives without metadata", () => {
    expect(intent().keyFrom).toBe("payload")
    expect(intent().orderKey).toBe(session().orderKey)
    expect(intent().snapshot?.tracking.gclid).toBeUndefined()
  })

  it("given checkout.session.completed, when payment_intent.succeeded 1 s later, then gclid, utm, partner and address stay", () => {
    const { state } = run([session()])
    const events = decide(state, intent(), "wh-pi")
    const { state: after } = run([session(), intent()])
    expect(after.order).toMatchObject(sessionFacts)
    // The intent adds nothing the session lacked: no new snapshot is recorded.
    expect(tags(events)).toEqual([])
  })

  it("given payment_intent.succeeded, when the older checkout.session.completed arrives, then the session's fields fill in", () => {
    const events = given(intent()).when(session(), "wh-cs")
    expect(tags(events)).toEqual(["OrderNormalized"])
    expect(normalized(events)).toMatchObject({ webhookId: "wh-cs", detailsFrom: "wh-1", order: sessionFacts })
    // The intent stays the basis: its modification time is what the next snapshot is ranked against.
    expect(normalized(events)?.order.updatedAt).toBe(intent().snapshot?.updatedAt)
  })

  it("ends the same in either order", () => {
    // paidAt is the first payment time learned, updatedAt the basis's: both follow arrival.
    const forward = run([session(), intent()]).state.order
    const backward = run([intent(), session()]).state.order
    expect(details(backward)).toEqual(details(forward))
  })

  it("given a subscription checkout, when invoice.paid without metadata, then the invoice's lines join the session's tracking", () => {
    const { state } = run([subscription(), invoice()])
    expect(subscription().orderKey).toBe(invoice().orderKey)
    expect(state.order).toMatchObject({
      orderKey: "stripe-eu:in_1QVyZaEfGhIj4567BcDe8901",
      partner: "google",
      market: "SE",
      customer: { email: "astrid.berg@example.se", city: "Göteborg", country: "SE", phone: "+46 70 123 45 67" },
      tracking: { gclid: "CjwKCAiA3ZC6BhBaEiwAeqfvyk7mF2dT9bQzP1oL4wR6sXy8uHnV0jK3aE5cG1iM-BoCZ8AQAvD_BwE" }
    })
    expect(state.order?.lineItems.length).toBeGreaterThan(0)
    expect(state.order?.orderNumber).toBe(invoice().snapshot?.orderNumber)
    expect(details(run([invoice(), subscription()]).state.order)).toEqual(details(state.order))
  })

  it("a newer non-empty value wins over an older one", () => {
    const newer = withTracking(intent(), { gclid: "newer-gclid" })
    expect(run([session(), newer]).state.order?.tracking.gclid).toBe("newer-gclid")
    expect(run([newer, session()]).state.order?.tracking.gclid).toBe("newer-gclid")
  })

  it("with the partner rules, the partner follows the merged tracking (click ids before utm)", () => {
    const rules: ReadonlyArray<PartnerRule> = [
      { id: "google", when: ["utm_source=google"] },
      { id: "awin", when: ["awc"] }
    ]
    const withAwc = withTracking(intent(), { clickIds: { awc: "1001_1733058066_abc" }, utm: {} })
    const { state } = run([session()])
    const events = decide(state, withAwc, "wh-pi", { partners: rules })
    expect(normalized(events)?.order.partner).toBe("awin")
  })
})

const withTracking = (outcome: Observed, tracking: Partial<CanonicalOrder["tracking"]>): Observed => ({
  ...outcome,
  snapshot: {
    ...outcome.snapshot!,
    tracking: { clickIds: {}, utm: {}, ...tracking }
  }
})

const withSnapshot = (outcome: Observed, patch: Partial<CanonicalOrder>, parserVersion = outcome.parserVersion) => ({
  ...outcome,
  parserVersion,
  snapshot: { ...outcome.snapshot!, ...patch }
})

describe("re-normalization at the same modification time", () => {
  for (const partner of ["aaa", "zzz"]) {
    it(`given the session from wh-1, when wh-1 is re-run and now finds partner ${partner}, then a new snapshot`, () => {
      const events = given(session()).when(withSnapshot(session(), { partner }), "wh-1")
      expect(tags(events)).toEqual(["OrderNormalized"])
      expect(normalized(events)).toMatchObject({ webhookId: "wh-1", order: { partner } })
      expect(normalized(events)?.detailsFrom).toBeUndefined()
    })
  }

  it("given the session from wh-1, when wh-1 is re-run with rules that no longer match, then the partner is cleared", () => {
    const rerun = withSnapshot(session(), { partner: undefined })
    const events = given(session()).when(rerun, "wh-1")
    expect(tags(events)).toEqual([])
    const decided = decide(run([session()]).state, rerun, "wh-1", { partners: [{ id: "meta", when: ["fbclid"] }] })
    expect(normalized(decided)?.order.partner).toBeUndefined()
  })

  it("given a snapshot from wh-1, when another webhook with the same time has a higher parser version, then it wins", () => {
    const events = given(session()).when(withSnapshot(session(), { partner: "aaa" }, 2), "wh-2")
    expect(normalized(events)).toMatchObject({ webhookId: "wh-2", parserVersion: 2, order: { partner: "aaa" } })
    expect(given(session()).when(withSnapshot(session(), { partner: "aaa" }, 1), "wh-2")).toEqual([])
  })

  it("a re-run that changes nothing appends nothing, and running it twice is the same as once", () => {
    const rerun = withSnapshot(session(), { partner: "aaa" })
    const { state } = run([session()])
    const once = decide(state, rerun, "wh-1")
    expect(tags(once)).toEqual(["OrderNormalized"])
    const after = foldOrder(once, state)
    expect(decide(after, rerun, "wh-1")).toEqual([])
  })
})

// Property: snapshots of one order that agree on the values they share merge to the same details in
// any arrival order, whichever fields each one leaves out.
describe("merging is order-independent for the fields present", () => {
  const full = session()
  const OPTIONAL_TRACKING = ["gclid", "landingUrl"] as const
  const OPTIONAL_UTM = ["source", "medium", "campaign"] as const
  const OPTIONAL_CUSTOMER = ["email", "phone", "firstName", "lastName", "city", "zip", "country"] as const

  const part = fc.record({
    tracking: fc.subarray([...OPTIONAL_TRACKING]),
    utm: fc.subarray([...OPTIONAL_UTM]),
    customer: fc.subarray([...OPTIONAL_CUSTOMER]),
    consent: fc.boolean(),
    second: fc.integer({ min: 0, max: 3 }),
    withTime: fc.boolean()
  })

  const snapshotOf = (p: typeof part extends fc.Arbitrary<infer T> ? T : never): Observed => {
    const base = full.snapshot!
    const pick = <A extends object>(from: A, keys: ReadonlyArray<string>) =>
      Object.fromEntries(Object.entries(from).filter(([k]) => keys.includes(k)))
    const customer = pick(base.customer, p.customer)
    const { updatedAt: _, ...rest } = base
    return {
      ...full,
      snapshot: {
        ...rest,
        ...(p.withTime ? { updatedAt: new Date(Date.parse(base.updatedAt!) + p.second * 1000).toISOString() } : {}),
        customer,
        market: "FR",
        partner: "google",
        consent: p.consent ? base.consent : {},
        tracking: { ...pick(base.tracking, p.tracking), clickIds: {}, utm: pick(base.tracking.utm, p.utm) }
      }
    }
  }

  it("for two to four snapshots in every order", () => {
    fc.assert(
      fc.property(fc.array(part, { minLength: 2, maxLength: 4 }), (parts) => {
        const outcomes = parts.map(snapshotOf)
        const { updatedAt: _a, ...reference } = run(outcomes).state.order!
        const { updatedAt: _b, ...reversed } = run([...outcomes].reverse()).state.order!
        expect(reversed).toEqual(reference)
        const present = (key: (typeof OPTIONAL_CUSTOMER)[number]) => parts.some((p) => p.customer.includes(key))
        for (const key of OPTIONAL_CUSTOMER) expect(reference.customer[key] !== undefined).toBe(present(key))
      }),
      { numRuns: 300 }
    )
  })
})
