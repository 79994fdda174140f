// Stripe objects -> drafts. Which id is the order: a payment belongs to its invoice when it has one
// (so invoice.paid and the checkout session that created the invoice meet), else to its payment
// intent (so checkout.session.*, payment_intent.succeeded and charge.refunded of one payment meet),
// else to the object itself. metadata.order_id names a shop order for sources with `ordersOf`.
import type { Money } from "../../events/CanonicalOrder.js"
import { compact, first, text } from "../../lib/compact.js"
import { marketingOptIn } from "../consent.js"
import { countryCode } from "../identity.js"
import { currencyCode, currencyDigits, minorText, rescaleMinor } from "../money.js"
import type { Attributes, Details } from "../outcome.js"
import { recordAttributes, splitName } from "../parser.js"
import type { Address, CheckoutSession, Invoice, PaymentIntent } from "./schema.js"
import { refId } from "./schema.js"

// Stripe's exponents (docs.stripe.com/currencies): zero- and three-decimal lists; every other
// currency, ISK and HUF included, has two digits in the API whatever ISO or CLDR say.
const ZERO = new Set([
  "BIF",
  "CLP",
  "DJF",
  "GNF",
  "JPY",
  "KMF",
  "KRW",
  "MGA",
  "PYG",
  "RWF",
  "UGX",
  "VND",
  "VUV",
  "XAF",
  "XOF",
  "XPF"
])
const THREE = new Set(["BHD", "JOD", "KWD", "OMR", "TND"])
const stripeDigits = (currency: string) => (ZERO.has(currency) ? 0 : THREE.has(currency) ? 3 : 2)

/** A Stripe amount in a lower-case currency -> canonical Money. */
export const stripeMoney = (amount: number, rawCurrency: string): Money | undefined => {
  const currency = currencyCode(rawCurrency)
  if (currency === undefined) return undefined
  return { amountMinor: rescaleMinor(amount, stripeDigits(currency), currencyDigits(currency)), currency }
}

const ORDER_ID_KEYS = ["order_id", "orderId"]

export const shopOrderIdOf = (attributes: Attributes): string | undefined =>
  ORDER_ID_KEYS.map((key) => text(attributes.find(([k]) => k === key)?.[1])).find((v) => v !== undefined)

const place = (address: Address | null | undefined) =>
  compact({
    city: text(address?.city),
    zip: text(address?.postal_code),
    region: text(address?.state),
    country: countryCode(text(address?.country))
  })

interface Common {
  readonly value: Money
  readonly placedAt: string
  readonly updatedAt: string
}

type Session = typeof CheckoutSession.Type

export const sessionDetails = (session: Session, common: Common): Details => {
  const d = session.customer_details
  const shipping = session.collected_information?.shipping_details ?? session.shipping_details
  const name = splitName(d?.name ?? shipping?.name)
  const conversion = session.currency_conversion
  const shopValue = conversion ? stripeMoney(conversion.amount_total, conversion.source_currency) : undefined
  return {
    platform: "stripe",
    value: common.value,
    lineItems: [],
    customer: compact({
      email: first(text(d?.email), text(session.customer_email)),
      phone: text(d?.phone),
      firstName: name.first,
      lastName: name.last,
      ...place(d?.address ?? shipping?.address),
      externalId: refId(session.customer)
    }),
    placedAt: common.placedAt,
    updatedAt: common.updatedAt,
    consent: marketingOptIn(session.consent?.promotions === "opt_in", "stripe:consent.promotions"),
    signals: { attributes: recordAttributes(session.metadata) },
    tags: [],
    ...compact({
      shopValue: shopValue && shopValue.currency !== common.value.currency ? shopValue : undefined,
      shippingCountry: countryCode(text(shipping?.address?.country))
    })
  }
}

export const paymentIntentDetails = (pi: typeof PaymentIntent.Type, common: Common): Details => {
  const name = splitName(pi.shipping?.name)
  return {
    platform: "stripe",
    value: common.value,
    lineItems: [],
    customer: compact({
      email: text(pi.receipt_email),
      phone: text(pi.shipping?.phone),
      firstName: name.first,
      lastName: name.last,
      ...place(pi.shipping?.address),
      externalId: refId(pi.customer)
    }),
    placedAt: common.placedAt,
    updatedAt: common.updatedAt,
    signals: { attributes: recordAttributes(pi.metadata) },
    tags: [],
    ...compact({ shippingCountry: countryCode(text(pi.shipping?.address?.country)) })
  }
}

export const invoiceAttributes = (invoice: typeof Invoice.Type): Attributes => [
  ...recordAttributes(invoice.metadata),
  ...recordAttributes(invoice.parent?.subscription_details?.metadata ?? invoice.subscription_details?.metadata)
]

export const invoiceDetails = (invoice: typeof Invoice.Type, common: Common): Details => {
  const name = splitName(invoice.customer_name)
  const scale = (amount: number) => stripeMoney(amount, common.value.currency)?.amountMinor ?? amount
  const lineItems = (invoice.lines?.data ?? []).map((line) => {
    const quantity = line.quantity ?? 1
    const unitDecimal = line.pricing?.unit_amount_decimal
    const unit =
      line.price?.unit_amount ??
      (unitDecimal == null ? undefined : minorText(unitDecimal.split(".")[0] ?? "")) ??
      Math.round(line.amount / Math.max(quantity, 1))
    return {
      ...compact({
        productId: line.pricing?.price_details?.product ?? refId(line.price?.product),
        variantId: line.pricing?.price_details?.price ?? line.price?.id ?? undefined,
        name: text(line.description)
      }),
      quantity,
      priceMinor: scale(unit)
    }
  })
  return {
    platform: "stripe",
    value: common.value,
    lineItems,
    customer: compact({
      email: text(invoice.customer_email),
      phone: text(invoice.customer_phone),
      firstName: name.first,
      lastName: name.last,
      ...place(invoice.customer_address),
      externalId: refId(invoice.customer)
    }),
    placedAt: common.placedAt,
    updatedAt: common.updatedAt,
    signals: { attributes: invoiceAttributes(invoice) },
    tags: [],
    ...compact({ orderNumber: text(invoice.number) })
  }
}
