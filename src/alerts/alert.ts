// What every alert policy shares: the group key, and the facts about an order a marketer needs to find
// the campaign or landing page that lost a parameter, with no personal data. Landing pages keep their
// path and the names of their query parameters, never the values (a value can be an email, a token or
// the very click id the alert is about).
import type { AlertProblem, AlertRaised } from "../events/alerts.js"
import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import { clip, scrubPersonalData } from "./mrkdwn.js"

export type Alert = typeof AlertRaised.Type
/** An AlertRaised without its tag, as `AlertRaised.make` takes it. */
export type AlertData = Omit<Alert, "_tag">

export const NONE = "(none)"
/** A group slot that does not narrow: the cause is the target, not the campaign. */
export const ANY = "*"

/**
 * Problems caused by a target or a source, not a campaign: grouped per target (or source) whatever
 * campaign the orders came from.
 */
export const TARGET_CAUSED: ReadonlySet<AlertProblem> = new Set<AlertProblem>([
  "dead_letter",
  "dispatch_rejected",
  "circuit_open",
  "dispatch_held",
  "normalization_failed",
  "webhook_rejected"
])

/** `{[key]: value}` when the value is defined, else `{}`: optional fields under exactOptionalPropertyTypes. */
export const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }

const nonEmpty = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim()
  return trimmed === undefined || trimmed === "" ? undefined : trimmed
}

/**
 * company|partner|campaign|problem, plus a fifth part for dispatch problems (target:reason), so a
 * broken credential on one target is one group however many campaigns its orders came from.
 */
export const groupKeyOf = (parts: {
  readonly company: string | undefined
  readonly partner: string | undefined
  readonly campaign: string | undefined
  readonly problem: AlertProblem
  readonly scope?: string | undefined
}): string =>
  [
    nonEmpty(parts.company) ?? NONE,
    nonEmpty(parts.partner) ?? NONE,
    nonEmpty(parts.campaign) ?? NONE,
    parts.problem,
    ...(parts.scope === undefined ? [] : [parts.scope])
  ].join("|")

export interface LandingPage {
  /** shop.example/products/vitamin-d3 (no scheme, no query). */
  readonly page: string
  readonly queryKeys: ReadonlyArray<string>
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i

const decodePath = (path: string): string => {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

/** Host (absolute URLs only), decoded path and the names of the query parameters present. */
export const landingPageOf = (raw: string | undefined): LandingPage | undefined => {
  const value = nonEmpty(raw)
  if (value === undefined) return undefined
  let url: URL
  try {
    url = new URL(value, "https://relative.invalid")
  } catch {
    return undefined
  }
  const host = ABSOLUTE.test(value) ? url.host : ""
  const keys = [...new Set([...url.searchParams.keys()].map((k) => clip(scrubPersonalData(k), 40)))].slice(0, 15)
  return { page: clip(`${host}${scrubPersonalData(decodePath(url.pathname))}`, 160), queryKeys: keys }
}

/** The referrer's host only: its path and query can carry a search term or a webmail message id. */
export const referrerHostOf = (raw: string | undefined): string | undefined => {
  const value = nonEmpty(raw)
  if (value === undefined || !ABSOLUTE.test(value)) return undefined
  try {
    return nonEmpty(new URL(value).host)
  } catch {
    return undefined
  }
}

const utmValue = (value: string | undefined): string | undefined => {
  const v = nonEmpty(value)
  return v === undefined ? undefined : clip(scrubPersonalData(v), 120)
}

/** The order's side of an alert: identity, campaign, landing page; details carry no personal data. */
export const orderFacts = (order: CanonicalOrder) => {
  const landing = landingPageOf(order.tracking.landingUrl)
  const { utm } = order.tracking
  const campaign = utmValue(utm.campaign)
  return {
    fields: {
      orderKey: order.orderKey,
      company: order.company,
      ...opt("market", order.market),
      ...opt("campaign", campaign),
      ...opt("landingUrl", landing?.page)
    },
    campaign,
    details: {
      orderKey: order.orderKey,
      ...opt("market", order.market),
      ...opt("orderPartner", order.partner),
      value: { amountMinor: order.value.amountMinor, currency: order.value.currency },
      utm: {
        ...opt("source", utmValue(utm.source)),
        ...opt("medium", utmValue(utm.medium)),
        ...opt("campaign", campaign),
        ...opt("content", utmValue(utm.content))
      },
      ...opt("landingQueryKeys", landing?.queryKeys),
      ...opt("referrerHost", referrerHostOf(order.tracking.referrer))
    }
  }
}

// Readers for details read back from stored events: tolerant, because an old event may lack a field.
type Details = Readonly<Record<string, unknown>>

export const detailText = (details: Details, key: string): string | undefined => {
  const value = details[key]
  return typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined
}

export const detailTexts = (details: Details, key: string): ReadonlyArray<string> => {
  const value = details[key]
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []
}

export const detailRecord = (details: Details, key: string): Details => {
  const value = details[key]
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Details) : {}
}
