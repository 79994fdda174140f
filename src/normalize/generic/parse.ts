// The generic format (README.md): our own canonical order for custom shops. The status comes from the
// body's `status`, else from the topic (order.paid, order.refunded, ...), else from paidAt. Tracking
// values the body states explicitly win over anything found in `attributes` or the landing URL.
import { Either } from "effect"
import type { Consent } from "../../events/CanonicalOrder.js"
import type { TrackingField } from "../../events/configSchema.js"
import { compact, text } from "../../lib/compact.js"
import { countryCode } from "../identity.js"
import { currencyCode } from "../money.js"
import type { Details, Draft, RefundFact } from "../outcome.js"
import { type Parser, recordAttributes } from "../parser.js"
import { decodeAt, minorAt, type Parsed, problem, required } from "../payload.js"
import { isoTime } from "../time.js"
import { type GenericOrder, GenericOrder as GenericOrderSchema } from "./schema.js"

const PAID = new Set(["paid", "partially_refunded", "refunded"])
const TOPIC_STATUS: Readonly<Record<string, GenericOrder["status"]>> = {
  "order.created": "pending",
  "order.pending": "pending",
  "order.paid": "paid",
  "order.partially_refunded": "partially_refunded",
  "order.refunded": "refunded",
  "order.cancelled": "cancelled"
}

const timeAt = (raw: string | null | undefined, path: string): Parsed<string | undefined> =>
  raw == null ? Either.right(undefined) : required(isoTime(raw), path, "not an ISO 8601 time with offset")

const explicitTracking = (t: GenericOrder["tracking"]): Partial<Record<TrackingField, string | undefined>> => ({
  gclid: t?.gclid ?? undefined,
  gbraid: t?.gbraid ?? undefined,
  wbraid: t?.wbraid ?? undefined,
  fbclid: t?.fbclid ?? undefined,
  fbc: t?.fbc ?? undefined,
  fbp: t?.fbp ?? undefined,
  utm_source: t?.utm?.source ?? undefined,
  utm_medium: t?.utm?.medium ?? undefined,
  utm_campaign: t?.utm?.campaign ?? undefined,
  utm_content: t?.utm?.content ?? undefined,
  utm_term: t?.utm?.term ?? undefined,
  landing_url: t?.landingUrl ?? undefined,
  referrer: t?.referrer ?? undefined,
  coupon: t?.coupon ?? undefined,
  ...t?.clickIds
})

const parseOrder = (order: GenericOrder, topic: string | undefined, sourceCurrency?: string): Parsed<Draft> =>
  Either.gen(function* () {
    const currency = yield* required(currencyCode(order.currency), "currency", "not an ISO 4217 currency code")
    const value = { amountMinor: yield* minorAt(order.total, currency, "total"), currency }
    // shopTotal without shopCurrency is in the source's configured shop currency.
    const shopCurrency = currencyCode(order.shopCurrency) ?? (order.shopCurrency == null ? sourceCurrency : undefined)
    if (order.shopCurrency != null && shopCurrency === undefined)
      return yield* problem("shopCurrency", "not an ISO 4217 currency code")
    const shopValue =
      shopCurrency !== undefined && shopCurrency !== currency && order.shopTotal != null
        ? { amountMinor: yield* minorAt(order.shopTotal, shopCurrency, "shopTotal"), currency: shopCurrency }
        : undefined
    const lineItems = []
    for (const [i, item] of (order.items ?? []).entries()) {
      lineItems.push({
        ...compact({
          productId: item.productId ?? undefined,
          variantId: item.variantId ?? undefined,
          sku: text(item.sku),
          name: text(item.name)
        }),
        quantity: item.quantity,
        priceMinor: yield* minorAt(item.price, currency, `items[${i}].price`)
      })
    }
    const refunds: Array<RefundFact> = []
    for (const [i, refund] of (order.refunds ?? []).entries()) {
      const at = yield* timeAt(refund.at, `refunds[${i}].at`)
      refunds.push(
        compact({
          id: refund.id,
          amountMinor: yield* minorAt(refund.amount, currency, `refunds[${i}].amount`),
          currency,
          at
        })
      )
    }
    const placedAt = yield* required(isoTime(order.placedAt), "placedAt", "not an ISO 8601 time with offset")
    const paidAt = yield* timeAt(order.paidAt, "paidAt")
    const updatedAt = yield* timeAt(order.updatedAt, "updatedAt")
    const cancelledAt = yield* timeAt(order.cancelledAt, "cancelledAt")
    const status = order.status ?? TOPIC_STATUS[topic ?? ""] ?? (paidAt ? "paid" : "pending")
    const c = order.customer
    const consent: Consent | undefined = order.consent
      ? compact({
          adUserData: order.consent.adUserData ?? undefined,
          adPersonalization: order.consent.adPersonalization ?? undefined,
          source: "generic:consent"
        })
      : undefined
    const details: Details = {
      platform: "generic",
      value,
      lineItems,
      customer: compact({
        email: text(c?.email),
        phone: text(c?.phone),
        firstName: text(c?.firstName),
        lastName: text(c?.lastName),
        city: text(c?.city) ?? text(order.shippingAddress?.city),
        zip: text(c?.zip) ?? text(order.shippingAddress?.zip),
        region: text(c?.region) ?? text(order.shippingAddress?.region),
        country: countryCode(text(c?.country)),
        externalId: c?.id ?? undefined
      }),
      placedAt,
      signals: compact({
        attributes: recordAttributes(order.attributes),
        explicit: explicitTracking(order.tracking),
        clickIds: order.tracking?.clickIds ?? undefined,
        fbclidCapturedAt: isoTime(order.tracking?.fbclidCapturedAt)
      }),
      tags: order.tags ?? [],
      ...compact({
        orderNumber: text(order.number),
        shopValue,
        shippingCountry: countryCode(text(order.shippingAddress?.country)),
        updatedAt,
        clientIp: text(order.client?.ip),
        userAgent: text(order.client?.userAgent),
        consent
      })
    }
    return {
      _tag: "Draft",
      orderId: order.id,
      details,
      refunds,
      fullyRefunded: status === "refunded",
      ...compact({
        paidAt: PAID.has(status) || paidAt !== undefined ? (paidAt ?? updatedAt ?? placedAt) : undefined,
        cancellation:
          status === "cancelled" || cancelledAt !== undefined ? compact({ at: cancelledAt ?? updatedAt }) : undefined,
        platformTest: order.test === true ? "generic test: true" : undefined
      })
    } satisfies Draft
  })

export const parseGeneric: Parser = ({ topic, body, source }) =>
  Either.flatMap(decodeAt(GenericOrderSchema)(body), (order) =>
    parseOrder(order, topic ?? text(order.topic), source.currency)
  )
