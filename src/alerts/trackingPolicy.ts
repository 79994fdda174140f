// Tracking alerts for a paid order: a purchase that carries no tracking at all, or whose UTM parameters
// name a partner whose click id never arrived. Both mean a conversion the partner will not see, and
// the campaign plus landing page in the alert are where a marketer starts looking.

import { AlertRaised } from "../events/alerts.js"
import type { CanonicalOrder, Tracking } from "../events/CanonicalOrder.js"
import type { PartnerRule } from "../events/configSchema.js"
import { type Alert, groupKeyOf, opt, orderFacts } from "./alert.js"
import { clip, scrubPersonalData } from "./mrkdwn.js"
import {
  affiliateForSource,
  affiliatePartners,
  GOOGLE_KEYS,
  hasAny,
  hasUtm,
  identifiersPresent,
  isAffiliateMedium,
  isGoogleSignal,
  isMetaSignal,
  META_KEYS,
  partnerNaming
} from "./signals.js"

export interface OrderAlertContext {
  readonly partners: ReadonlyArray<PartnerRule>
  readonly now: Date
}

/** Money was taken: a conversion the partners should hear about. */
const isPaid = (order: CanonicalOrder): boolean => order.status === "paid" || order.status === "partially_refunded"

interface Contradiction {
  readonly partner: string
  /** The UTM value that names the partner, e.g. "utm_source=google". */
  readonly signal: string
  readonly expected: ReadonlyArray<string>
  readonly hint: string
}

const signalText = (tracking: Tracking, key: "source" | "medium"): string =>
  `utm_${key}=${clip(scrubPersonalData(tracking.utm[key]?.trim() ?? ""), 80)}`

const contradictionOf = (order: CanonicalOrder, partners: ReadonlyArray<PartnerRule>): Contradiction | undefined => {
  const { tracking } = order
  if (isGoogleSignal(tracking) && !hasAny(tracking, GOOGLE_KEYS)) {
    return {
      partner: partnerNaming(partners, GOOGLE_KEYS) ?? "google",
      signal: signalText(tracking, "source"),
      expected: GOOGLE_KEYS,
      hint:
        "The visit is tagged as Google Ads but no gclid, gbraid or wbraid arrived. Check that auto-tagging is on " +
        "in the Google Ads account and that the landing page and every redirect keep the gclid parameter."
    }
  }
  if (isMetaSignal(tracking) && !hasAny(tracking, META_KEYS)) {
    return {
      partner: partnerNaming(partners, META_KEYS) ?? "meta",
      signal: signalText(tracking, "source"),
      expected: META_KEYS,
      hint:
        "The visit is tagged as Facebook/Instagram but neither fbclid nor the _fbc cookie arrived. Check that the " +
        "landing page and every redirect keep fbclid; Safari private browsing strips it."
    }
  }
  const affiliate = affiliateForSource(tracking, partners)
  if (affiliate !== undefined && !hasAny(tracking, affiliate.keys)) {
    return {
      partner: affiliate.id,
      signal: signalText(tracking, "source"),
      expected: affiliate.keys,
      hint:
        `The visit is tagged as ${affiliate.id} but its click id (${affiliate.keys.join(", ")}) is missing. Check ` +
        "the network's tracking link and that the landing page stores the parameter before checkout."
    }
  }
  if (affiliate === undefined && isAffiliateMedium(tracking)) {
    const keys = [...new Set(affiliatePartners(partners).flatMap((p) => p.keys))]
    const anyClickId = identifiersPresent(tracking).some((key) => !["fbp", ...GOOGLE_KEYS, ...META_KEYS].includes(key))
    if (!anyClickId) {
      return {
        partner: clip(scrubPersonalData(tracking.utm.source?.trim() || order.partner || "affiliate"), 80),
        signal: signalText(tracking, "medium"),
        expected: keys,
        hint:
          "The visit is tagged as affiliate traffic but no affiliate click id arrived. Check the network's " +
          "tracking link, and add a partner rule naming its click id if the network is new."
      }
    }
  }
  return undefined
}

/** Alerts for a paid, real order: at most one, since an order without UTM parameters cannot contradict them. */
export const alertsForOrder = (order: CanonicalOrder, context: OrderAlertContext): ReadonlyArray<Alert> => {
  if (order.test || !isPaid(order)) return []
  const facts = orderFacts(order)
  const where = `${order.orderKey}${order.market === undefined ? "" : ` (${order.market})`}`
  const common = {
    present: identifiersPresent(order.tracking),
    detectedAt: context.now.toISOString()
  }
  if (common.present.length === 0 && !hasUtm(order.tracking)) {
    return [
      AlertRaised.make({
        alertId: `missing_tracking:${order.orderKey}`,
        problem: "missing_tracking",
        groupKey: groupKeyOf({
          company: order.company,
          partner: order.partner,
          campaign: facts.campaign,
          problem: "missing_tracking"
        }),
        ...facts.fields,
        ...opt("partner", order.partner),
        summary: `Paid order ${where} arrived without any tracking: no click id and no UTM parameters`,
        details: {
          ...facts.details,
          ...common,
          hint:
            "No click id and no UTM parameters reached the order. If it came from a campaign, its link, the landing " +
            "page or a redirect dropped them, or the consent banner blocked the script that stores them. Direct and " +
            "organic orders look the same."
        }
      })
    ]
  }
  const contradiction = contradictionOf(order, context.partners)
  if (contradiction === undefined) return []
  return [
    AlertRaised.make({
      alertId: `contradicting_tracking:${order.orderKey}`,
      problem: "contradicting_tracking",
      groupKey: groupKeyOf({
        company: order.company,
        partner: contradiction.partner,
        campaign: facts.campaign,
        problem: "contradicting_tracking"
      }),
      ...facts.fields,
      partner: contradiction.partner,
      summary:
        `Paid order ${where} has ${contradiction.signal} but no ${contradiction.expected.join("/") || "click id"}` +
        (facts.campaign === undefined ? "" : ` (campaign ${facts.campaign})`),
      details: {
        ...facts.details,
        ...common,
        signal: contradiction.signal,
        expected: contradiction.expected,
        hint: contradiction.hint
      }
    })
  ]
}
