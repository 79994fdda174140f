// Stripe events: checkout.session.completed (paid, or unpaid until an async method settles),
// checkout.session.async_payment_succeeded / _failed, payment_intent.succeeded, invoice.paid /
// invoice.payment_succeeded (snapshots), charge.refunded (the charge's cumulative refund). Every other
// event type, and sessions in setup mode, are skipped. livemode: false marks a test order.
import { Either } from "effect"
import type { Money } from "../../events/CanonicalOrder.js"
import { compact } from "../../lib/compact.js"
import type { Draft } from "../outcome.js"
import { type Parser, recordAttributes } from "../parser.js"
import { decodeAt, type Parsed, problem, required } from "../payload.js"
import { unixTime } from "../time.js"
import {
  invoiceAttributes,
  invoiceDetails,
  paymentIntentDetails,
  sessionDetails,
  shopOrderIdOf,
  stripeMoney
} from "./objects.js"
import { Charge, CheckoutSession, Event, Invoice, PaymentIntent, refId } from "./schema.js"

const OBJECT = "data.object"
const SESSION_TOPICS = new Set([
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed"
])

const moneyAt = (amount: number, currency: string | null | undefined, path: string): Parsed<Money> => {
  const money = currency == null ? undefined : stripeMoney(amount, currency)
  return money === undefined ? problem(`${OBJECT}.${path}`, "not an ISO 4217 currency code") : Either.right(money)
}

export const parseStripe: Parser = ({ body }) =>
  Either.gen(function* () {
    const event = yield* decodeAt(Event)(body)
    const at = yield* required(unixTime(event.created), "created", "not a unix time")
    const object = event.data.object as unknown
    const platformTest = event.livemode === false ? "stripe livemode: false" : undefined
    const base = { refunds: [], fullyRefunded: false, ...compact({ platformTest }) } as const

    if (SESSION_TOPICS.has(event.type)) {
      const session = yield* decodeAt(CheckoutSession, OBJECT)(object)
      if (session.mode === "setup")
        return { _tag: "Skipped", reason: "checkout session in setup mode takes no payment" } as const
      const amount = yield* required(session.amount_total ?? undefined, `${OBJECT}.amount_total`)
      const value = yield* moneyAt(amount, session.currency, "currency")
      const paid =
        event.type === "checkout.session.async_payment_succeeded" ||
        (event.type === "checkout.session.completed" && session.payment_status !== "unpaid")
      const details = sessionDetails(session, { value, placedAt: unixTime(session.created) ?? at, updatedAt: at })
      return {
        _tag: "Draft",
        ...base,
        orderId: refId(session.invoice) ?? refId(session.payment_intent) ?? session.id,
        details,
        ...compact({
          shopOrderId: shopOrderIdOf(details.signals.attributes),
          paidAt: paid ? at : undefined,
          cancellation:
            event.type === "checkout.session.async_payment_failed" ? { at, reason: "async payment failed" } : undefined
        })
      } satisfies Draft
    }
    if (event.type === "payment_intent.succeeded") {
      const pi = yield* decodeAt(PaymentIntent, OBJECT)(object)
      const value = yield* moneyAt(pi.amount_received ?? pi.amount, pi.currency, "currency")
      const details = paymentIntentDetails(pi, { value, placedAt: unixTime(pi.created) ?? at, updatedAt: at })
      return {
        _tag: "Draft",
        ...base,
        orderId: refId(pi.invoice) ?? pi.id,
        details,
        paidAt: at,
        ...compact({ shopOrderId: shopOrderIdOf(details.signals.attributes) })
      } satisfies Draft
    }
    if (event.type === "invoice.paid" || event.type === "invoice.payment_succeeded") {
      const invoice = yield* decodeAt(Invoice, OBJECT)(object)
      const value = yield* moneyAt(invoice.amount_paid, invoice.currency, "currency")
      const details = invoiceDetails(invoice, { value, placedAt: unixTime(invoice.created) ?? at, updatedAt: at })
      return {
        _tag: "Draft",
        ...base,
        orderId: invoice.id,
        details,
        paidAt: unixTime(invoice.status_transitions?.paid_at) ?? at,
        ...compact({ shopOrderId: shopOrderIdOf(invoiceAttributes(invoice)) })
      } satisfies Draft
    }
    if (event.type === "charge.refunded") {
      const charge = yield* decodeAt(Charge, OBJECT)(object)
      const refunded = yield* moneyAt(charge.amount_refunded, charge.currency, "currency")
      return {
        _tag: "Draft",
        ...base,
        orderId: refId(charge.invoice) ?? refId(charge.payment_intent) ?? charge.id,
        refunds: [{ id: charge.id, amountMinor: refunded.amountMinor, currency: refunded.currency, at }],
        fullyRefunded: charge.refunded,
        ...compact({ shopOrderId: shopOrderIdOf(recordAttributes(charge.metadata)) })
      } satisfies Draft
    }
    return { _tag: "Skipped", reason: `event ${event.type} says nothing about an order` } as const
  })
