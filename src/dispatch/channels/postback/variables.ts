// The postback template variables: name -> value for one (order, kind, time). Every value is a
// string; a value the order does not have is "" (the slot is kept, empty). README.md documents each.
import type { CanonicalOrder, LineItem } from "../../../events/CanonicalOrder.js"
import type { DispatchKind } from "../../../events/dispatch.js"
import { currencyDigits } from "../../../lib/money.js"
import { hashWith, metaEmail } from "../identity/normalize.js"

export interface PostbackContext {
  readonly order: CanonicalOrder
  readonly kind: DispatchKind
  readonly now: Date
  /** The click id {click_id} stands for, resolved per target (clickId.ts). */
  readonly clickId: string | undefined
}

export interface Variable {
  readonly description: string
  /** Always a number: may stand unquoted in a JSON body template. */
  readonly numeric?: boolean
  readonly value: (ctx: PostbackContext) => string | undefined
}

/** Minor units -> "12.34" with the currency's digits (EUR 2, JPY 0, KWD 3); dot, no grouping. */
export const formatAmount = (amountMinor: number, currency: string): string => {
  const digits = currencyDigits(currency)
  const sign = amountMinor < 0 ? "-" : ""
  const abs = Math.abs(Math.trunc(amountMinor))
  if (digits === 0) return `${sign}${abs}`
  const scale = 10 ** digits
  return `${sign}${Math.floor(abs / scale)}.${String(abs % scale).padStart(digits, "0")}`
}

/** What is left of the order after refunds: 0 once refunded or cancelled. */
export const remainingMinor = (order: CanonicalOrder): number =>
  order.status === "refunded" || order.status === "cancelled"
    ? 0
    : Math.max(0, order.value.amountMinor - order.refundedMinor)

// A conversion reports the order's value; a status change reports what remains of it.
const amountMinor = (ctx: PostbackContext) =>
  ctx.kind === "status_change" ? remainingMinor(ctx.order) : ctx.order.value.amountMinor

const eventTime = (ctx: PostbackContext): Date => {
  const at = Date.parse(ctx.order.paidAt ?? ctx.order.placedAt)
  return Number.isNaN(at) ? ctx.now : new Date(at)
}

// ":" and "|" are the separators of {items}; inside a SKU they would make it ambiguous.
const itemKey = (item: LineItem) => (item.sku ?? item.product ?? item.productId ?? "").replace(/[:|]/g, "_")

const subId = (ctx: PostbackContext, n: number) => {
  const ids = ctx.order.tracking.clickIds
  const keys = [`sub${n}`, `subid${n}`, `sub_id${n}`, n === 1 ? "aff_sub" : `aff_sub${n}`]
  return keys.map((k) => ids[k]).find((v) => v !== undefined && v !== "")
}

const money = (minor: (ctx: PostbackContext) => number) => (ctx: PostbackContext) =>
  formatAmount(minor(ctx), ctx.order.value.currency)

const variables = {
  click_id: {
    description: "the partner's click id (target.clickId, else the partner's usual key)",
    value: (c) => c.clickId
  },
  order_id: { description: "the platform's order id", value: (c) => c.order.platformOrderId },
  order_number: {
    description: "the shop's order number (#1001), else the order id",
    value: (c) => c.order.orderNumber ?? c.order.platformOrderId
  },
  order_key: { description: "our order key, {sourceId}:{order id}", value: (c) => c.order.orderKey },
  amount: {
    description: "value as a decimal; for a status change, what remains",
    numeric: true,
    value: money(amountMinor)
  },
  amount_minor: { description: "the same in minor units", numeric: true, value: (c) => String(amountMinor(c)) },
  original_amount: {
    description: "the order's full value, decimal",
    numeric: true,
    value: money((c) => c.order.value.amountMinor)
  },
  refunded_amount: {
    description: "refunded so far, decimal",
    numeric: true,
    value: money((c) => c.order.refundedMinor)
  },
  subtotal: {
    description: "sum of quantity x unit price of the line items, decimal",
    numeric: true,
    value: money((c) => c.order.lineItems.reduce((n, i) => n + i.quantity * i.priceMinor, 0))
  },
  currency: { description: "ISO 4217 code, e.g. EUR", value: (c) => c.order.value.currency },
  status: { description: "paid, refunded, partially_refunded, cancelled, ...", value: (c) => c.order.status },
  kind: { description: "conversion or status_change", value: (c) => c.kind },
  company: { description: "the brand", value: (c) => c.order.company },
  product: { description: "the first (primary) product", value: (c) => c.order.products[0] },
  products: { description: "all products, comma-separated", value: (c) => c.order.products.join(",") },
  quantity: {
    description: "total quantity of the line items",
    numeric: true,
    value: (c) => String(c.order.lineItems.reduce((n, i) => n + i.quantity, 0))
  },
  items: {
    description: "sku:quantity:unit price per line item, joined by |",
    value: (c) =>
      c.order.lineItems
        .map((i) => `${itemKey(i)}:${i.quantity}:${formatAmount(i.priceMinor, c.order.value.currency)}`)
        .join("|")
  },
  partner: { description: "the partner that drove the sale", value: (c) => c.order.partner },
  market: { description: "ISO country of the order", value: (c) => c.order.market },
  source: { description: "the webhook source id", value: (c) => c.order.sourceId },
  timestamp: {
    description: "unix seconds of the paid time (else placed time)",
    numeric: true,
    value: (c) => String(Math.floor(eventTime(c).getTime() / 1000))
  },
  iso_time: { description: "the same as ISO 8601 UTC", value: (c) => eventTime(c).toISOString() },
  now: {
    description: "unix seconds when sent",
    numeric: true,
    value: (c) => String(Math.floor(c.now.getTime() / 1000))
  },
  now_iso: { description: "when sent, ISO 8601 UTC", value: (c) => c.now.toISOString() },
  email_sha256: {
    description: "SHA-256 hex of the trimmed, lower-case email; empty when ad_user_data consent is denied",
    value: (c) => (c.order.consent.adUserData === "denied" ? undefined : hashWith(c.order.customer.email, metaEmail))
  },
  coupon: { description: "the discount code", value: (c) => c.order.tracking.coupon },
  utm_source: { description: "utm_source", value: (c) => c.order.tracking.utm.source },
  utm_medium: { description: "utm_medium", value: (c) => c.order.tracking.utm.medium },
  utm_campaign: { description: "utm_campaign", value: (c) => c.order.tracking.utm.campaign },
  utm_content: { description: "utm_content", value: (c) => c.order.tracking.utm.content },
  utm_term: { description: "utm_term", value: (c) => c.order.tracking.utm.term },
  sub1: { description: "sub id 1: clickIds sub1 | subid1 | sub_id1 | aff_sub", value: (c) => subId(c, 1) },
  sub2: { description: "sub id 2: clickIds sub2 | subid2 | sub_id2 | aff_sub2", value: (c) => subId(c, 2) },
  sub3: { description: "sub id 3 (same keys)", value: (c) => subId(c, 3) },
  sub4: { description: "sub id 4 (same keys)", value: (c) => subId(c, 4) },
  sub5: { description: "sub id 5 (same keys)", value: (c) => subId(c, 5) }
} satisfies Record<string, Variable>

export type VariableName = keyof typeof variables
export const VARIABLES: Readonly<Record<VariableName, Variable>> = variables
export const VARIABLE_NAMES = Object.keys(variables) as ReadonlyArray<VariableName>

export const isVariable = (name: string): name is VariableName => Object.hasOwn(variables, name)

/** The value of a known variable, "" when the order does not have it. */
export const variableValue = (name: VariableName, ctx: PostbackContext): string => VARIABLES[name].value(ctx) ?? ""
