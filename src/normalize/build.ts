// From a parser's Draft to an Observed outcome: the order key (a billing payment naming a shop order
// lands on the shop's key), identity (company, market, products, partner), tracking, consent and the
// special cases (test orders, re-shipments).

import { deriveStatus, refundedTotal } from "../conversion/status.js"
import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import type { Source } from "../events/configSchema.js"
import { compact } from "../lib/compact.js"
import { resolveCompany } from "./company.js"
import { consentFromText, mergeConsent } from "./consent.js"
import type { NormalizeContext } from "./context.js"
import { marketOf, partnerFor, productFor, productsOf } from "./identity.js"
import type { Details, Draft, Failed, Observed } from "./outcome.js"
import { reshipment, testOrder } from "./special.js"
import { extractTracking } from "./tracking.js"

export interface ObserveInput {
  readonly draft: Draft
  readonly topic: string
  readonly parserVersion: number
  /** Ingest's reading of the platform's test mode (Stripe livemode, Shopify test). */
  readonly testMode?: boolean | undefined
}

export const observe = (
  { draft, topic, parserVersion, testMode }: ObserveInput,
  ctx: NormalizeContext
): Observed | Failed => {
  const source = ctx.source
  const ownKey = `${source.id}:${draft.orderId}`
  const shopId = source.ordersOf !== undefined ? draft.shopOrderId : undefined
  const orderKey = shopId === undefined ? ownKey : `${source.ordersOf}:${shopId}`
  const owner = (shopId === undefined ? undefined : ctx.sources.get(source.ordersOf ?? "")) ?? source
  const platformTest = draft.platformTest ?? (testMode === true ? "webhook test mode" : undefined)
  const resolution =
    draft.details === undefined
      ? undefined
      : resolveCompany(owner.company, draft.details.lineItems, draft.details.value.currency)
  if (resolution?._tag === "Unplaced") return { _tag: "Failed", reason: resolution.reason, parserVersion }
  const company =
    resolution?.company ?? (typeof owner.company === "string" ? owner.company : (owner.company["*"] ?? ""))

  const snapshot =
    draft.details === undefined
      ? undefined
      : canonical(
          draft,
          draft.details,
          { orderKey, platformOrderId: shopId ?? draft.orderId, owner, platformTest, company },
          ctx
        )
  const ignore =
    snapshot === undefined
      ? testOrder({ platformTest, tags: [] }, source.testOrders)
      : (testOrder(
          compact({ platformTest, email: snapshot.customer.email, tags: snapshot.tags, clientIp: snapshot.clientIp }),
          source.testOrders
        ) ??
        reshipment(
          {
            tags: snapshot.tags,
            attributes: draft.details?.signals.attributes ?? [],
            valueMinor: snapshot.value.amountMinor
          },
          source.reshipments
        ))
  return {
    _tag: "Observed",
    orderKey,
    keyFrom: shopId === undefined && source.ordersOf !== undefined ? "billing-alias" : "payload",
    sourceId: source.id,
    topic,
    parserVersion,
    refunds: draft.refunds,
    fullyRefunded: draft.fullyRefunded,
    ...compact({
      billingKey: shopId === undefined ? undefined : ownKey,
      snapshot: snapshot && ignore?.reason === "test_order" ? { ...snapshot, test: true } : snapshot,
      paidAt: draft.paidAt,
      cancellation: draft.cancellation,
      ignore,
      companyNote: resolution?._tag === "Company" ? resolution.note : undefined
    })
  }
}

interface Keyed {
  readonly orderKey: string
  readonly platformOrderId: string
  readonly owner: Source
  readonly platformTest: string | undefined
  readonly company: string
}

const canonical = (draft: Draft, details: Details, keyed: Keyed, ctx: NormalizeContext): CanonicalOrder => {
  const source = ctx.source
  const company = keyed.company
  // The configured origin beats the payload's (Shopify's order_status_url can be the checkout domain).
  const origin = keyed.owner.url ?? source.url ?? details.signals.origin
  const { tracking, consent: consentAttribute } = extractTracking({ ...details.signals, origin }, source.tracking)
  const scope = { sourceId: source.id, company }
  const lineItems = details.lineItems.map((item) => ({
    ...item,
    ...compact({ product: productFor(item, ctx.products, scope) })
  }))
  const ownRefunds = draft.refunds.reduce((sum, r) => sum + r.amountMinor, 0)
  const refundedMinor = refundedTotal(
    new Map([[source.id, ownRefunds]]),
    draft.fullyRefunded,
    details.value.amountMinor
  )
  const status = deriveStatus({
    paid: draft.paidAt !== undefined,
    cancelled: draft.cancellation !== undefined,
    refundedMinor,
    fullyRefunded: draft.fullyRefunded || (details.value.amountMinor > 0 && refundedMinor >= details.value.amountMinor)
  })
  return {
    orderKey: keyed.orderKey,
    sourceId: source.id,
    platform: details.platform,
    platformOrderId: keyed.platformOrderId,
    company,
    products: productsOf(details.lineItems, ctx.products, scope),
    status,
    value: details.value,
    refundedMinor,
    lineItems,
    customer: details.customer,
    placedAt: details.placedAt,
    consent: mergeConsent(
      details.consent,
      consentAttribute && consentFromText(consentAttribute.value, `attribute:${consentAttribute.key}`)
    ),
    tracking,
    tags: details.tags,
    test: keyed.platformTest !== undefined,
    ...compact({
      orderNumber: details.orderNumber,
      market: marketOf(details.customer.country, details.shippingCountry, keyed.owner.market ?? source.market),
      partner: partnerFor(tracking, ctx.partners)?.partner,
      shopValue: details.shopValue,
      paidAt: draft.paidAt,
      updatedAt: details.updatedAt,
      clientIp: details.clientIp,
      userAgent: details.userAgent
    })
  }
}
