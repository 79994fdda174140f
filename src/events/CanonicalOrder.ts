// The canonical order: what every source format normalizes into, and what routing and every channel
// read. Money is integer minor units plus an upper-case ISO 4217 code. Versioned through the
// OrderNormalized event's schema version.
import { Schema } from "effect"

export const OrderStatus = Schema.Literal("pending", "paid", "partially_refunded", "refunded", "cancelled")
export type OrderStatus = typeof OrderStatus.Type

export const Money = Schema.Struct({
  amountMinor: Schema.Int,
  currency: Schema.String.pipe(Schema.pattern(/^[A-Z]{3}$/))
})
export type Money = typeof Money.Type

export const LineItem = Schema.Struct({
  productId: Schema.optional(Schema.String),
  variantId: Schema.optional(Schema.String),
  sku: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  quantity: Schema.Int,
  /** Unit price in the order's (presentment) currency. */
  priceMinor: Schema.Int,
  /** The product key from the configured product mappings (default: the sku). */
  product: Schema.optional(Schema.String)
})
export type LineItem = typeof LineItem.Type

export const Customer = Schema.Struct({
  email: Schema.optional(Schema.String),
  phone: Schema.optional(Schema.String),
  firstName: Schema.optional(Schema.String),
  lastName: Schema.optional(Schema.String),
  city: Schema.optional(Schema.String),
  zip: Schema.optional(Schema.String),
  region: Schema.optional(Schema.String),
  /** ISO 3166-1 alpha-2, upper case. */
  country: Schema.optional(Schema.String),
  /** The platform's customer id (hashed before it leaves, as Meta's external_id). */
  externalId: Schema.optional(Schema.String)
})
export type Customer = typeof Customer.Type

export const ConsentValue = Schema.Literal("granted", "denied")
export const Consent = Schema.Struct({
  adUserData: Schema.optional(ConsentValue),
  adPersonalization: Schema.optional(ConsentValue),
  /** Where the signal came from, e.g. "shopify:accepts_marketing", "note_attribute:consent". */
  source: Schema.optional(Schema.String)
})
export type Consent = typeof Consent.Type

export const Utm = Schema.Struct({
  source: Schema.optional(Schema.String),
  medium: Schema.optional(Schema.String),
  campaign: Schema.optional(Schema.String),
  content: Schema.optional(Schema.String),
  term: Schema.optional(Schema.String)
})

export const Tracking = Schema.Struct({
  gclid: Schema.optional(Schema.String),
  gbraid: Schema.optional(Schema.String),
  wbraid: Schema.optional(Schema.String),
  fbclid: Schema.optional(Schema.String),
  /** When the fbclid was captured (ISO time), for a synthesized fbc. */
  fbclidCapturedAt: Schema.optional(Schema.String),
  fbc: Schema.optional(Schema.String),
  fbp: Schema.optional(Schema.String),
  /** Affiliate click ids by parameter name: awc, irclickid, cjevent, clickid, transaction_id, ... */
  clickIds: Schema.Record({ key: Schema.String, value: Schema.String }),
  utm: Utm,
  landingUrl: Schema.optional(Schema.String),
  referrer: Schema.optional(Schema.String),
  coupon: Schema.optional(Schema.String)
})
export type Tracking = typeof Tracking.Type

export const CanonicalOrder = Schema.Struct({
  /** `{sourceId}:{platform order id}`, or the shop source's key for a billing payment of a shop order. */
  orderKey: Schema.String,
  sourceId: Schema.String,
  platform: Schema.String,
  platformOrderId: Schema.String,
  orderNumber: Schema.optional(Schema.String),
  company: Schema.String,
  /** ISO country: billing, then shipping, then the source default. */
  market: Schema.optional(Schema.String),
  products: Schema.Array(Schema.String),
  /** The partner that drove the sale per the partner rules, or undefined when none matched. */
  partner: Schema.optional(Schema.String),
  status: OrderStatus,
  /** The total the customer paid, in the presentment currency. */
  value: Money,
  /** The same total in the shop currency when it differs from the presentment currency. */
  shopValue: Schema.optional(Money),
  refundedMinor: Schema.Int,
  lineItems: Schema.Array(LineItem),
  customer: Customer,
  placedAt: Schema.String,
  paidAt: Schema.optional(Schema.String),
  /** The platform's last-modified time of the snapshot this view was built from (stale deliveries lose). */
  updatedAt: Schema.optional(Schema.String),
  clientIp: Schema.optional(Schema.String),
  userAgent: Schema.optional(Schema.String),
  consent: Consent,
  tracking: Tracking,
  tags: Schema.Array(Schema.String),
  test: Schema.Boolean
})
export type CanonicalOrder = typeof CanonicalOrder.Type

/** Google click ids in the order, for channels and alerts. */
export const googleClickId = (
  tracking: Tracking
): { readonly kind: "gclid" | "gbraid" | "wbraid"; readonly value: string } | undefined =>
  tracking.gclid
    ? { kind: "gclid", value: tracking.gclid }
    : tracking.gbraid
      ? { kind: "gbraid", value: tracking.gbraid }
      : tracking.wbraid
        ? { kind: "wbraid", value: tracking.wbraid }
        : undefined
