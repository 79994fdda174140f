// Click ids, cookies and UTM values hide under different keys on every platform and in every tracking
// plugin. Which keys hold which field is data, not code: one table of default keys per field, tried in
// order after the source's own overrides (`tracking:` in s2s.yaml). Each field is looked up, in this
// order, in: values the payload states explicitly (the generic format), the key/value attributes
// (note_attributes, meta_data, metadata, custom_data), the platform's own field (Shopify landing_site,
// referring_site, discount codes), and finally the landing URL's query string. The first non-empty
// value wins; keys match exactly, so the table lists the spellings seen in the wild.
import type { Source, TrackingField } from "../config/schema.js"
import type { Tracking } from "../events/CanonicalOrder.js"
import { compact, text } from "./compact.js"
import type { TrackingSignals } from "./outcome.js"
import { unixMillis } from "./time.js"

const subKeys = (n: number) => [`sub${n}`, `subid${n}`, `sub_id${n}`, `subId${n}`, n === 1 ? "aff_sub" : `aff_sub${n}`]

export const DEFAULT_TRACKING_KEYS: Readonly<Record<TrackingField, ReadonlyArray<string>>> = {
  gclid: ["gclid", "_gclid", "GCLID", "google_click_id", "_google_click_id"],
  gbraid: ["gbraid", "_gbraid"],
  wbraid: ["wbraid", "_wbraid"],
  fbclid: ["fbclid", "_fbclid"],
  fbc: ["_fbc", "fbc", "fb_fbc"],
  fbp: ["_fbp", "fbp", "fb_fbp"],
  awc: ["awc", "_awc", "awin_awc", "AWC"],
  irclickid: ["irclickid", "_irclickid", "ir_clickid", "impact_click_id"],
  cjevent: ["cjevent", "_cjevent", "cje", "CJEVENT"],
  clickid: ["clickid", "click_id", "_clickid", "ef_transaction_id", "_ef_transaction_id"],
  sub1: subKeys(1),
  sub2: subKeys(2),
  sub3: subKeys(3),
  sub4: subKeys(4),
  sub5: subKeys(5),
  utm_source: ["utm_source", "_utm_source", "_wc_order_attribution_utm_source"],
  utm_medium: ["utm_medium", "_utm_medium", "_wc_order_attribution_utm_medium"],
  utm_campaign: ["utm_campaign", "_utm_campaign", "_wc_order_attribution_utm_campaign"],
  utm_content: ["utm_content", "_utm_content", "_wc_order_attribution_utm_content"],
  utm_term: ["utm_term", "_utm_term", "_wc_order_attribution_utm_term"],
  landing_url: ["landing_url", "_landing_url", "landing_page", "_landing_page", "_wc_order_attribution_session_entry"],
  referrer: ["referrer", "_referrer", "referring_site", "_wc_order_attribution_referrer"],
  coupon: ["coupon", "coupon_code", "discount_code"],
  consent: ["consent", "_consent", "cookie_consent", "tracking_consent", "consent_mode", "_consent_mode"]
}

/**
 * Keys read only from the landing URL: Everflow and TUNE name their click id `transaction_id` in the
 * URL, but as an order attribute `transaction_id` is usually the payment's id.
 */
export const QUERY_ONLY_KEYS: Readonly<Partial<Record<TrackingField, ReadonlyArray<string>>>> = {
  clickid: ["transaction_id"]
}

/** Fields that are never read from the landing URL's query. */
const NOT_FROM_QUERY: ReadonlySet<TrackingField> = new Set(["landing_url", "referrer", "coupon", "consent"])

const CLICK_ID_FIELDS = ["awc", "irclickid", "cjevent", "clickid", "sub1", "sub2", "sub3", "sub4", "sub5"] as const

export type TrackingOverrides = Source["tracking"]

/** The query parameters of a landing URL given as a full URL, a path ("/?gclid=..") or a bare host. */
export const queryParams = (url: string | undefined): Map<string, string> => {
  const params = new Map<string, string>()
  // Click ids are appended before the fragment (Google inserts ?gclid= ahead of a #/route).
  const hash = url?.indexOf("#") ?? -1
  const beforeHash = hash < 0 ? url : url?.slice(0, hash)
  const start = beforeHash?.indexOf("?") ?? -1
  if (beforeHash === undefined || start < 0) return params
  for (const [key, value] of new URLSearchParams(beforeHash.slice(start + 1))) {
    const v = text(value)
    if (v !== undefined && !params.has(key)) params.set(key, v)
  }
  return params
}

const firstByKey = (attributes: TrackingSignals["attributes"]): Map<string, string> => {
  const byKey = new Map<string, string>()
  for (const [key, value] of attributes) {
    const v = text(value)
    if (v !== undefined && !byKey.has(key)) byKey.set(key, v)
  }
  return byKey
}

export interface ExtractedTracking {
  readonly tracking: Tracking
  /** The raw consent attribute and its key, for consent.ts. */
  readonly consent?: { readonly key: string; readonly value: string } | undefined
}

export const extractTracking = (signals: TrackingSignals, overrides?: TrackingOverrides): ExtractedTracking => {
  const attributes = firstByKey(signals.attributes)
  const keysOf = (field: TrackingField) => [...(overrides?.[field] ?? []), ...DEFAULT_TRACKING_KEYS[field]]
  const fromAttributes = (field: TrackingField): { key: string; value: string } | undefined => {
    for (const key of keysOf(field)) {
      const value = attributes.get(key)
      if (value !== undefined) return { key, value }
    }
    return undefined
  }
  const native: Partial<Record<TrackingField, string | undefined>> = {
    landing_url: text(signals.landingUrl),
    referrer: text(signals.referrer),
    coupon: text(signals.coupon)
  }
  const stated = (field: TrackingField) => text(signals.explicit?.[field])
  const landingUrl = stated("landing_url") ?? fromAttributes("landing_url")?.value ?? native.landing_url
  const query = queryParams(landingUrl)
  const fromQuery = (field: TrackingField): string | undefined => {
    if (NOT_FROM_QUERY.has(field)) return undefined
    for (const key of [...keysOf(field), ...(QUERY_ONLY_KEYS[field] ?? [])]) {
      const value = query.get(key)
      if (value !== undefined) return value
    }
    return undefined
  }
  const get = (field: TrackingField): string | undefined =>
    stated(field) ?? fromAttributes(field)?.value ?? native[field] ?? fromQuery(field)

  const fbclid = get("fbclid")
  const fbc = get("fbc")
  const clickIds: Record<string, string> = {}
  for (const [key, value] of Object.entries(signals.clickIds ?? {})) {
    const v = text(value)
    if (v !== undefined) clickIds[key] = v
  }
  for (const field of CLICK_ID_FIELDS) {
    const value = get(field)
    if (value !== undefined) clickIds[field] = value
  }
  const tracking: Tracking = {
    ...compact({
      gclid: get("gclid"),
      gbraid: get("gbraid"),
      wbraid: get("wbraid"),
      fbclid,
      fbclidCapturedAt: fbclid === undefined ? undefined : (signals.fbclidCapturedAt ?? fbcCapturedAt(fbc, fbclid)),
      fbc,
      fbp: get("fbp"),
      landingUrl,
      referrer: get("referrer"),
      coupon: get("coupon")
    }),
    clickIds,
    utm: compact({
      source: get("utm_source"),
      medium: get("utm_medium"),
      campaign: get("utm_campaign"),
      content: get("utm_content"),
      term: get("utm_term")
    })
  }
  const consentValue = stated("consent")
  return { tracking, consent: consentValue ? { key: "consent", value: consentValue } : fromAttributes("consent") }
}

/** fb.1.<creation ms>.<fbclid>[.<appendix>]: the cookie's creation time is when the fbclid was captured. */
export const fbcCapturedAt = (fbc: string | undefined, fbclid: string): string | undefined => {
  const parts = fbc?.split(".")
  if (parts === undefined || parts.length < 4 || parts[0] !== "fb" || parts[3] !== fbclid) return undefined
  return unixMillis(Number(parts[2]))
}
