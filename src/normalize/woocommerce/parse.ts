// WooCommerce order.created / order.updated / order.restored (the whole order) and order.deleted (the
// id only: the order was trashed or deleted, recorded as a cancellation).
//
// Status: processing and completed are paid (also cash on delivery, which gets date_paid only on
// completion); pending, on-hold and failed are unpaid; cancelled and trash cancel; refunded is a full
// refund. refunds[] lists every refund with its id, so amounts are exact and deduplicated. Tracking
// lives in meta_data: WooCommerce's own order attribution (_wc_order_attribution_*) and plugins' keys.
// WooCommerce has no test flag; testOrders rules apply.
import { Either } from "effect"
import { compact, first, text } from "../../lib/compact.js"
import { countryCode } from "../identity.js"
import { currencyCode } from "../money.js"
import type { Attributes, Details, Draft, RefundFact } from "../outcome.js"
import { type Parser, skip } from "../parser.js"
import { decodeAt, minorAt, type Parsed, required } from "../payload.js"
import { gmtTime } from "../time.js"
import { type Address, Deleted, Order } from "./schema.js"

const PAID = new Set(["processing", "completed", "refunded"])
const CANCELLED = new Set(["cancelled", "trash"])
const ORDER_TOPICS = new Set(["order.created", "order.updated", "order.restored"])

const metaAttributes = (meta: Order["meta_data"]): Attributes =>
  (meta ?? []).flatMap(({ key, value }) =>
    typeof value === "string" || typeof value === "number" || typeof value === "boolean"
      ? [[key, String(value)] as const]
      : []
  )

const place = (address: Address | null | undefined) =>
  compact({
    city: text(address?.city),
    zip: text(address?.postcode),
    region: text(address?.state),
    country: countryCode(text(address?.country))
  })

const hasPlace = (address: Address | null | undefined) =>
  text(address?.country) !== undefined || text(address?.city) !== undefined

const parseOrder = (order: Order, shopCurrency: string | undefined): Parsed<Draft> =>
  Either.gen(function* () {
    // A payload without a currency (some REST proxies drop it) is in the source's configured currency.
    const currency = yield* required(
      text(order.currency) === undefined ? shopCurrency : currencyCode(order.currency),
      "currency",
      text(order.currency) === undefined ? "missing (and the source has no currency)" : "not an ISO 4217 currency code"
    )
    const value = { amountMinor: yield* minorAt(order.total, currency, "total"), currency }
    const lineItems = []
    for (const [i, item] of (order.line_items ?? []).entries()) {
      const quantity = Math.round(item.quantity)
      // price is subtotal / quantity as a float; recompute from subtotal when it is missing.
      const priceMinor =
        item.price != null
          ? yield* minorAt(item.price, currency, `line_items[${i}].price`)
          : item.subtotal != null && quantity > 0
            ? Math.round((yield* minorAt(item.subtotal, currency, `line_items[${i}].subtotal`)) / quantity)
            : 0
      const variation = item.variation_id != null && item.variation_id !== "0" ? item.variation_id : undefined
      lineItems.push({
        ...compact({
          productId: item.product_id ?? undefined,
          variantId: variation,
          sku: text(item.sku),
          name: text(item.name)
        }),
        quantity,
        priceMinor
      })
    }
    const refunds: Array<RefundFact> = []
    for (const [i, refund] of (order.refunds ?? []).entries()) {
      const amount = yield* minorAt(refund.total, currency, `refunds[${i}].total`)
      if (amount !== 0) refunds.push({ id: refund.id, amountMinor: Math.abs(amount), currency })
    }
    const placedAt = yield* required(gmtTime(order.date_created_gmt), "date_created_gmt", "is missing or not a time")
    const updatedAt = gmtTime(order.date_modified_gmt)
    const attributes = metaAttributes(order.meta_data)
    const billing = order.billing
    const shipping = order.shipping
    const details: Details = {
      platform: "woocommerce",
      value,
      lineItems,
      customer: compact({
        email: text(billing?.email),
        phone: first(text(billing?.phone), text(shipping?.phone)),
        firstName: first(text(billing?.first_name), text(shipping?.first_name)),
        lastName: first(text(billing?.last_name), text(shipping?.last_name)),
        ...place(hasPlace(billing) ? billing : shipping),
        // 0 is WooCommerce's guest checkout.
        externalId: order.customer_id != null && order.customer_id !== "0" ? order.customer_id : undefined
      }),
      placedAt,
      signals: { attributes, ...compact({ coupon: text(order.coupon_lines?.[0]?.code) }) },
      tags: [],
      ...compact({
        orderNumber: text(order.number),
        shippingCountry: countryCode(text(shipping?.country)),
        updatedAt,
        clientIp: text(order.customer_ip_address),
        userAgent:
          text(order.customer_user_agent) ?? attributes.find(([k]) => k === "_wc_order_attribution_user_agent")?.[1]
      })
    }
    return {
      _tag: "Draft",
      orderId: order.id,
      details,
      refunds,
      fullyRefunded: order.status === "refunded",
      ...compact({
        paidAt:
          PAID.has(order.status) || order.date_paid_gmt
            ? (gmtTime(order.date_paid_gmt) ?? updatedAt ?? placedAt)
            : undefined,
        cancellation: CANCELLED.has(order.status)
          ? compact({ at: updatedAt, reason: `status ${order.status}` })
          : undefined
      })
    } satisfies Draft
  })

export const parseWooCommerce: Parser = ({ topic, body, source }) => {
  if (topic === undefined || ORDER_TOPICS.has(topic))
    return Either.flatMap(decodeAt(Order)(body), (order) => parseOrder(order, source.currency))
  if (topic === "order.deleted") {
    return Either.map(
      decodeAt(Deleted)(body),
      ({ id }): Draft => ({
        _tag: "Draft",
        orderId: id,
        refunds: [],
        fullyRefunded: false,
        cancellation: { reason: "deleted" }
      })
    )
  }
  return skip(`topic ${topic} says nothing about an order`)
}
