// A Shopify order snapshot (orders/create, orders/paid, orders/updated, orders/cancelled, ...) and a
// refund (refunds/create, and each entry of an order's refunds[]).
//
// value is what the customer paid in the presentment currency (total_price_set.presentment_money);
// shopValue is total_price in the shop currency when the two differ. Refund transactions are in the
// presentment currency (Shopify's transactions API converts only when asked `in_shop_currency`).
// Shopify sends no payment time: an order counts as paid at processed_at, the time Shopify's own
// reports use for the sale.
import { Either } from "effect"
import type { Money } from "../../events/CanonicalOrder.js"
import { compact, first, text } from "../../lib/compact.js"
import { marketingOptIn } from "../consent.js"
import { countryCode } from "../identity.js"
import { currencyCode } from "../money.js"
import type { Details, Draft, RefundFact } from "../outcome.js"
import { splitTags } from "../parser.js"
import { type Decimal, joinPath, minorAt, type Parsed, problem, required } from "../payload.js"
import { isoTime } from "../time.js"
import { originOf } from "../tracking.js"
import type { Address, Order, Refund } from "./schema.js"

const PAID = new Set(["paid", "partially_refunded", "refunded"])
const VOID = new Set(["voided", "expired"])

const currencyAt = (raw: string | null | undefined, path: string): Parsed<string> =>
  required(currencyCode(raw), path, "not an ISO 4217 currency code")

export const timeAt = (raw: string | null | undefined, path: string): Parsed<string> =>
  raw === null || raw === undefined
    ? problem(path, "is missing")
    : required(isoTime(raw), path, "not an ISO 8601 time with offset")

/** Successful refund transactions of one refund, summed; undefined currency means "the order's". */
export const refundFact = (
  refund: Refund,
  path: string,
  fallbackCurrency: string | undefined
): Parsed<RefundFact | undefined> =>
  Either.gen(function* () {
    let amountMinor = 0
    let currency: string | undefined
    for (const [i, t] of (refund.transactions ?? []).entries()) {
      if (t.kind !== "refund" || (t.status != null && t.status !== "success")) continue
      const at = joinPath(path, `transactions[${i}]`)
      currency ??= yield* currencyAt(t.currency ?? fallbackCurrency, `${at}.currency`)
      amountMinor += yield* minorAt(t.amount, currency, `${at}.amount`)
    }
    if (amountMinor <= 0) return undefined
    return compact({ id: refund.id, amountMinor, currency, at: isoTime(refund.processed_at ?? refund.created_at) })
  })

const money = (amount: Decimal, currency: string, path: string): Parsed<Money> =>
  Either.map(minorAt(amount, currency, path), (amountMinor) => ({ amountMinor, currency }))

const place = (address: Address | null | undefined) =>
  compact({
    city: text(address?.city),
    zip: text(address?.zip),
    region: text(address?.province_code) ?? text(address?.province),
    country: countryCode(text(address?.country_code))
  })

/** The storefront's origin: order_status_url's (the shop's primary domain), else the myshopify domain. */
const shopOrigin = (order: Order, shopDomain: string | undefined): string | undefined =>
  originOf(text(order.order_status_url)) ?? (shopDomain === undefined ? undefined : `https://${shopDomain}`)

export const parseOrder = (order: Order, shopDomain?: string): Parsed<Draft> =>
  Either.gen(function* () {
    const shopCurrency = yield* currencyAt(order.currency, "currency")
    const set = order.total_price_set
    const value = set
      ? yield* money(
          set.presentment_money.amount,
          yield* currencyAt(set.presentment_money.currency_code, "total_price_set.presentment_money.currency_code"),
          "total_price_set.presentment_money.amount"
        )
      : yield* money(order.total_price, shopCurrency, "total_price")
    const shopValue =
      value.currency === shopCurrency ? undefined : yield* money(order.total_price, shopCurrency, "total_price")

    const lineItems = []
    for (const [i, item] of order.line_items.entries()) {
      const presentment = item.price_set?.presentment_money
      const priceMinor =
        presentment && currencyCode(presentment.currency_code) === value.currency
          ? yield* minorAt(presentment.amount, value.currency, `line_items[${i}].price_set.presentment_money.amount`)
          : yield* minorAt(item.price, shopCurrency, `line_items[${i}].price`)
      lineItems.push({
        ...compact({
          productId: item.product_id ?? undefined,
          variantId: item.variant_id ?? undefined,
          sku: text(item.sku),
          name: text(item.name) ?? text(item.title)
        }),
        quantity: item.quantity,
        priceMinor
      })
    }

    const placedAt = yield* timeAt(order.created_at, "created_at")
    const refunds: Array<RefundFact> = []
    for (const [i, refund] of (order.refunds ?? []).entries()) {
      const fact = yield* refundFact(refund, `refunds[${i}]`, value.currency)
      if (fact) refunds.push(fact)
    }

    const customer = order.customer
    const address = order.billing_address ?? order.shipping_address ?? customer?.default_address
    const status = order.financial_status ?? ""
    const consent =
      customer?.email_marketing_consent?.state === "subscribed"
        ? marketingOptIn(true, "shopify:email_marketing_consent")
        : customer?.accepts_marketing === true
          ? marketingOptIn(true, "shopify:accepts_marketing")
          : marketingOptIn(order.buyer_accepts_marketing === true, "shopify:buyer_accepts_marketing")
    const details: Details = {
      platform: "shopify",
      ...compact({
        orderNumber: text(order.name) ?? order.order_number ?? undefined,
        shopValue,
        shippingCountry: countryCode(text(order.shipping_address?.country_code)),
        updatedAt: isoTime(order.updated_at),
        clientIp: text(order.client_details?.browser_ip) ?? text(order.browser_ip),
        userAgent: text(order.client_details?.user_agent)
      }),
      value,
      lineItems,
      customer: compact({
        email: first(text(order.email), text(order.contact_email), text(customer?.email)),
        phone: first(
          text(order.phone),
          text(order.billing_address?.phone),
          text(order.shipping_address?.phone),
          text(customer?.phone)
        ),
        firstName: first(
          text(order.billing_address?.first_name),
          text(customer?.first_name),
          text(order.shipping_address?.first_name)
        ),
        lastName: first(
          text(order.billing_address?.last_name),
          text(customer?.last_name),
          text(order.shipping_address?.last_name)
        ),
        ...place(address),
        externalId: customer?.id ?? undefined
      }),
      placedAt,
      consent,
      signals: {
        attributes: (order.note_attributes ?? []).map(
          (a) => [String(a.name), a.value == null ? "" : String(a.value)] as const
        ),
        ...compact({
          landingUrl: text(order.landing_site),
          referrer: text(order.referring_site),
          coupon: text(order.discount_codes?.[0]?.code),
          origin: shopOrigin(order, text(shopDomain))
        })
      },
      tags: splitTags(order.tags)
    }
    const cancelledAt = isoTime(order.cancelled_at)
    return {
      _tag: "Draft",
      orderId: order.id,
      details,
      refunds,
      fullyRefunded: status === "refunded",
      ...compact({
        paidAt: PAID.has(status) ? (isoTime(order.processed_at) ?? placedAt) : undefined,
        cancellation:
          cancelledAt !== undefined || order.cancelled_at
            ? compact({ at: cancelledAt, reason: text(order.cancel_reason) })
            : VOID.has(status)
              ? { reason: `payment ${status}` }
              : undefined,
        platformTest: order.test === true ? "shopify test: true" : undefined
      })
    } satisfies Draft
  })
