// Which snapshot an order's details are based on, and how the others fill it in. Webhooks about one
// order each show part of it: a Stripe payment_intent.succeeded has no metadata (so no click ids) one
// second after the checkout session that had them; an invoice.paid knows the lines but not the
// session's address. So details are merged field by field: the preferred snapshot's non-empty values
// win, and a field it leaves empty (a tracking value, a customer field, consent, line items) is taken
// from the other, never cleared by it.
//
// Preference, in order: the order's own source beats a billing source; then the newer platform
// modification time; without one on either side, the latest delivery. At the same modification time,
// a re-run of the webhook the details are based on replaces it (re-normalization after a config or
// parser change), then the higher parser version wins, then the content, so arrival order cannot matter.
// Known limit: a re-run can change or add values but cannot clear one an earlier parse found, because
// the merged view does not record which snapshot each value came from.

import { type Basis, keySource } from "../../conversion/order.js"
import type { CanonicalOrder, Consent, Tracking } from "../../events/CanonicalOrder.js"
import type { PartnerRule } from "../../events/configSchema.js"
import { compact } from "../../lib/compact.js"
import { countryCode, partnerFor } from "../identity.js"
import { stableJson } from "../stableJson.js"

/**
 * Everything but the facts and the modification time, for "did the details change" and tie-breaks.
 * A snapshot that only has a newer updatedAt (Shopify sends orders/updated for every fulfillment)
 * records nothing; the price is that the stored updatedAt can lag, so a stale snapshot is only
 * recognised against the last snapshot that changed something.
 */
export const detailsText = (order: CanonicalOrder): string => {
  const { status: _s, paidAt: _p, refundedMinor: _r, updatedAt: _u, ...details } = order
  return stableJson(details)
}

const isOwn = (order: CanonicalOrder, orderKey: string) => order.sourceId === keySource(orderKey)

/** Does the incoming snapshot rank above the current details? */
export const incomingPreferred = (
  current: CanonicalOrder,
  basis: Basis | undefined,
  incoming: CanonicalOrder,
  from: Basis,
  orderKey: string
): boolean => {
  const own = isOwn(incoming, orderKey)
  if (own !== isOwn(current, orderKey)) return own
  if (current.updatedAt === undefined || incoming.updatedAt === undefined) return true
  if (incoming.updatedAt !== current.updatedAt) return incoming.updatedAt > current.updatedAt
  if (basis?.webhookId === from.webhookId) return true
  const previousVersion = basis?.parserVersion ?? from.parserVersion
  if (from.parserVersion !== previousVersion) return from.parserVersion > previousVersion
  return detailsText(incoming) >= detailsText(current)
}

const fillRecord = <A extends Readonly<Record<string, unknown>>>(preferred: A, other: A): A => {
  const out: Record<string, unknown> = { ...other }
  for (const [key, value] of Object.entries(preferred)) {
    if (value !== undefined && value !== "") out[key] = value
  }
  return out as A
}

const hasConsent = (consent: Consent) => consent.adUserData !== undefined || consent.adPersonalization !== undefined

const fillTracking = (preferred: Tracking, other: Tracking): Tracking => {
  const base = fillRecord(preferred, other)
  // The capture time belongs to its fbclid, never to another one.
  const fbclidCapturedAt =
    preferred.fbclid === undefined
      ? other.fbclidCapturedAt
      : (preferred.fbclidCapturedAt ?? (preferred.fbclid === other.fbclid ? other.fbclidCapturedAt : undefined))
  const { fbclidCapturedAt: _, ...rest } = base
  return {
    ...rest,
    ...compact({ fbclidCapturedAt }),
    clickIds: { ...other.clickIds, ...preferred.clickIds },
    utm: fillRecord(preferred.utm, other.utm)
  }
}

/** The preferred snapshot with every field it leaves empty taken from the other. */
export const fillDetails = (
  preferred: CanonicalOrder,
  other: CanonicalOrder,
  partners?: ReadonlyArray<PartnerRule>
): CanonicalOrder => {
  const items = preferred.lineItems.length > 0 ? preferred : other.lineItems.length > 0 ? other : preferred
  const customer = fillRecord(preferred.customer, other.customer)
  const tracking = fillTracking(preferred.tracking, other.tracking)
  // The partner follows the merged tracking: with the rules at hand it is recomputed (an awc found only
  // in the other snapshot still goes before the preferred one's utm_source).
  const partner =
    partners === undefined ? (preferred.partner ?? other.partner) : partnerFor(tracking, partners)?.partner
  const { partner: _p, market: _m, shopValue: _s, updatedAt: _u, ...rest } = fillRecord(preferred, other)
  return {
    ...rest,
    lineItems: items.lineItems,
    products:
      items.products.length > 0 ? items.products : preferred.products.length > 0 ? preferred.products : other.products,
    customer,
    consent: hasConsent(preferred.consent) || !hasConsent(other.consent) ? preferred.consent : other.consent,
    tracking,
    tags: preferred.tags.length > 0 ? preferred.tags : other.tags,
    test: preferred.test || other.test,
    ...compact({
      partner,
      market: countryCode(customer.country) ?? preferred.market ?? other.market,
      // A shop-currency value only means something next to the same presentment currency.
      shopValue:
        preferred.shopValue ?? (other.value.currency === preferred.value.currency ? other.shopValue : undefined),
      // The basis's own time: the next snapshot is ranked against it (a billing event's time must not
      // make the shop's next orders/updated look stale).
      updatedAt: preferred.updatedAt
    })
  }
}

export interface Chosen {
  readonly order: CanonicalOrder
  /** The basis after the merge; `from` when the incoming snapshot was preferred. */
  readonly basis: Basis
}

export const chooseDetails = (
  current: CanonicalOrder | undefined,
  basis: Basis | undefined,
  incoming: CanonicalOrder | undefined,
  from: Basis,
  orderKey: string,
  partners?: ReadonlyArray<PartnerRule>
): Chosen | undefined => {
  if (incoming === undefined) return current === undefined ? undefined : { order: current, basis: basis ?? from }
  if (current === undefined) return { order: incoming, basis: from }
  if (incomingPreferred(current, basis, incoming, from, orderKey))
    return { order: fillDetails(incoming, current, partners), basis: from }
  return { order: fillDetails(current, incoming, partners), basis: basis ?? from }
}
