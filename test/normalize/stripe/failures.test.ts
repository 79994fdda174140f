import { describe, expect, it } from "vitest"
import { normalizeWebhook } from "../../../src/normalize/normalize.js"
import { context, fixtureJson, SOURCES, webhook } from "../support.js"

const stripe = SOURCES.stripe
const mutated = (path: string, change: (event: Record<string, unknown>, object: Record<string, unknown>) => void) => {
  const json = fixtureJson(`stripe/${path}`)
  change(json, (json.data as Record<string, Record<string, unknown>>).object!)
  return normalizeWebhook(webhook(stripe.id, JSON.stringify(json)), context(stripe))
}

describe("Stripe payloads that cannot be normalized", () => {
  it.each<[string, string, (event: Record<string, unknown>, object: Record<string, unknown>) => void, string]>([
    [
      "checkout-session-completed.json",
      "an amount that is a string",
      (_, o) => {
        o.amount_total = "59.90"
      },
      "data.object.amount_total: not an integer"
    ],
    [
      "checkout-session-completed.json",
      "no amount",
      (_, o) => {
        o.amount_total = null
      },
      "data.object.amount_total: is missing"
    ],
    [
      "payment-intent-succeeded.json",
      "a currency that is not a code",
      (_, o) => {
        o.currency = "dollars"
      },
      "data.object.currency: not an ISO 4217 currency code"
    ],
    [
      "charge-refunded-full.json",
      "no refunded amount",
      (_, o) => {
        delete o.amount_refunded
      },
      "data.object.amount_refunded: is missing"
    ],
    [
      "invoice-paid.json",
      "a line without amount",
      (_, o) => {
        delete (o.lines as { data: Array<Record<string, unknown>> }).data[0]!.amount
      },
      "data.object.lines.data[0].amount: is missing"
    ],
    [
      "checkout-session-completed.json",
      "no event time",
      (e) => {
        delete e.created
      },
      "created: is missing"
    ]
  ])("%s: %s", (path, _, change, reason) => {
    expect(mutated(path, change)).toMatchObject({ _tag: "Failed", reason })
  })
})
