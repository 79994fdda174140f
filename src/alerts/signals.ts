// Which partner an order's UTM parameters point at, and which click ids that partner would have put on
// the landing URL. Google and Meta are known; affiliate networks are learnt from the partner rules
// (`{ id: awin, when: [awc] }`: awin's click id is awc), because every shop's network list differs.

import type { Tracking } from "../events/CanonicalOrder.js"
import type { PartnerRule } from "../events/configSchema.js"
import { globMatch } from "../lib/glob.js"

export const GOOGLE_KEYS = ["gclid", "gbraid", "wbraid"] as const
/** fbc is the _fbc cookie the pixel derives from an fbclid, so either proves the Meta click. */
export const META_KEYS = ["fbclid", "fbc"] as const

const TOP_LEVEL = ["gclid", "gbraid", "wbraid", "fbclid", "fbc", "fbp"] as const
type TopLevel = (typeof TOP_LEVEL)[number]

// Condition names in partner rules that describe the visit, not a click id.
const NOT_A_CLICK_ID = /^(utm_.*|landing_url|referrer|coupon|consent|sub_?(id)?\d*|subid\d*|aff_sub\d*)$/i

const present = (value: string | undefined): boolean => value !== undefined && value.trim() !== ""

/** The value of an identifier by key: top-level ids, else the affiliate click id map. */
export const identifier = (tracking: Tracking, key: string): string | undefined => {
  const value = (TOP_LEVEL as ReadonlyArray<string>).includes(key)
    ? tracking[key as TopLevel]
    : Object.hasOwn(tracking.clickIds, key)
      ? tracking.clickIds[key]
      : undefined
  return present(value) ? value : undefined
}

export const hasAny = (tracking: Tracking, keys: ReadonlyArray<string>): boolean =>
  keys.some((key) => identifier(tracking, key) !== undefined)

/** Names of the identifiers the order carries (never their values). */
export const identifiersPresent = (tracking: Tracking): ReadonlyArray<string> => [
  ...TOP_LEVEL.filter((key) => present(tracking[key])),
  ...Object.keys(tracking.clickIds)
    .filter((key) => !NOT_A_CLICK_ID.test(key) && present(tracking.clickIds[key]))
    .sort()
]

export const hasUtm = (tracking: Tracking): boolean =>
  [tracking.utm.source, tracking.utm.medium, tracking.utm.campaign, tracking.utm.content, tracking.utm.term].some(
    present
  )

/** The click id keys a partner rule names (`when: [awc, "utm_source=awin"]` -> [awc]). */
export const clickIdKeys = (rule: PartnerRule): ReadonlyArray<string> =>
  rule.when.filter((condition) => !condition.includes("=") && !NOT_A_CLICK_ID.test(condition))

const lower = (value: string | undefined): string => value?.trim().toLowerCase() ?? ""

const GOOGLE_SOURCES = new Set(["google", "adwords", "googleads", "google_ads", "google-ads", "gads"])
const PAID_MEDIA = new Set(["cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-search", "sem", "cpm", "display"])
// Google Business Profile links are commonly tagged utm_source=google&utm_medium=organic; they never
// carry a gclid, so they are not a lost click.
const UNPAID_MEDIA = new Set(["organic", "referral"])

export const isGoogleSignal = (tracking: Tracking): boolean => {
  const source = lower(tracking.utm.source)
  const medium = lower(tracking.utm.medium)
  if (UNPAID_MEDIA.has(medium)) return false
  return GOOGLE_SOURCES.has(source) || (source.includes("google") && PAID_MEDIA.has(medium))
}

const META_SOURCES = /^(fb|ig|meta|facebook|instagram|insta)([._-]?(ads?|com))?$/

// No organic exception for Meta: Facebook and Instagram append fbclid to outbound links of posts too.
export const isMetaSignal = (tracking: Tracking): boolean => {
  const source = lower(tracking.utm.source)
  return META_SOURCES.test(source) || source.includes("facebook") || source.includes("instagram")
}

const AFFILIATE_MEDIA = new Set(["affiliate", "affiliates", "aff", "affiliation"])

export const isAffiliateMedium = (tracking: Tracking): boolean => AFFILIATE_MEDIA.has(lower(tracking.utm.medium))

/** The first partner rule that names one of these click id keys (the shop's own id for Google or Meta). */
export const partnerNaming = (rules: ReadonlyArray<PartnerRule>, keys: ReadonlyArray<string>): string | undefined =>
  rules.find((rule) => rule.when.some((condition) => keys.includes(condition)))?.id

export interface AffiliatePartner {
  readonly id: string
  readonly keys: ReadonlyArray<string>
}

/** Partners with their own click ids, other than Google's and Meta's (those have their own checks). */
export const affiliatePartners = (rules: ReadonlyArray<PartnerRule>): ReadonlyArray<AffiliatePartner> =>
  rules
    .map((rule) => ({ id: rule.id, keys: clickIdKeys(rule) }))
    .filter(
      (p) =>
        p.keys.length > 0 &&
        !p.keys.some((key) => (GOOGLE_KEYS as ReadonlyArray<string>).includes(key) || key === "fbclid" || key === "fbc")
    )

const utmSourceConditions = (rule: PartnerRule): ReadonlyArray<string> =>
  rule.when.filter((c) => c.toLowerCase().startsWith("utm_source=")).map((c) => c.slice("utm_source=".length))

/**
 * The affiliate partner a utm_source names: its id ("awin", or "awin" for a partner "awin-de"), or a
 * `utm_source=` condition of its rule.
 */
export const affiliateForSource = (
  tracking: Tracking,
  rules: ReadonlyArray<PartnerRule>
): AffiliatePartner | undefined => {
  const source = lower(tracking.utm.source)
  if (source === "") return undefined
  const affiliates = affiliatePartners(rules)
  return affiliates.find((partner) => {
    const id = partner.id.toLowerCase()
    if (id === source || id.split(/[-_.]/)[0] === source) return true
    const rule = rules.find((r) => r.id === partner.id)
    return rule !== undefined && utmSourceConditions(rule).some((pattern) => globMatch(pattern, source))
  })
}
