// Click ids, cookies and UTM values hide under different keys on every platform and in every tracking
// plugin. Which keys hold which field is data, not code: one table of default keys per field, tried in
// order after the source's own overrides (`tracking:` in s2s.yaml). Each field is looked up, in this
// order, in: values the payload states explicitly (the generic format), the key/value attributes
// (note_attributes, meta_data, metadata, custom_data), the platform's own field (Shopify landing_site,
// referring_site, discount codes), and finally the query strings of the landing URLs. The first
// non-empty value wins; keys match exactly, so the table lists the spellings seen in the wild.
//
// Landing URLs: every candidate is read, in this order: the stated one, the landing_url attributes in
// key order (a plugin's `landing_page` before WooCommerce's `_wc_order_attribution_session_entry`),
// the platform's own (Shopify landing_site). The first is the order's landingUrl; a query key takes
// its value from the first candidate that has it, so a plugin's landing page without click ids cannot
// hide the gclid in the session entry. A landingUrl given as a path ("/products/x?gclid=...") is
// resolved against the shop's origin, so channels get an absolute URL (Meta's event_source_url).

import type { Tracking } from "../events/CanonicalOrder.js"
import type { Source, TrackingField } from "../events/configSchema.js"
import { compact, text } from "../lib/compact.js"
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

export const CLICK_ID_FIELDS = [
  "awc",
  "irclickid",
  "cjevent",
  "clickid",
  "sub1",
  "sub2",
  "sub3",
  "sub4",
  "sub5"
] as const

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

/** A landing URL given as a path or "//host/..." made absolute against the shop's origin; else as is. */
export const absoluteUrl = (url: string | undefined, origin: string | undefined): string | undefined => {
  if (url === undefined || origin === undefined) return url
  const base = origin.replace(/\/+$/, "")
  const scheme = base.slice(0, base.indexOf(":") + 1) || "https:"
  if (url.startsWith("//")) return `${scheme}${url}`
  if (url.startsWith("/")) return `${base}${url}`
  if (url.startsWith("?") || url.startsWith("#")) return `${base}/${url}`
  return url
}

/** The origin (scheme://host) of an absolute http(s) URL, or undefined. */
export const originOf = (url: string | undefined): string | undefined => {
  const match = url === undefined ? null : /^(https?:\/\/[^/?#\s]+)/i.exec(url)
  return match?.[1]
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
  const candidates = [
    stated("landing_url"),
    ...keysOf("landing_url").map((key) => attributes.get(key)),
    native.landing_url
  ].filter((url): url is string => url !== undefined)
  const landingUrl = absoluteUrl(candidates[0], signals.origin)
  const query = new Map<string, string>()
  for (const url of candidates) {
    for (const [key, value] of queryParams(url)) if (!query.has(key)) query.set(key, value)
  }
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
