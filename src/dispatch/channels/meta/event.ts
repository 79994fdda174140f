// Builds the one Purchase server event Meta receives for an order. Pure: the decision to send, skip
// (nothing that can match, or consent denied) or refuse (older than Meta's 7-day window) is made here,
// before any secret is read or any request is made.

import { partnerSafeUrl } from "../../../config/urlPrivacy.js"
import type { CanonicalOrder, LineItem, Tracking } from "../../../events/CanonicalOrder.js"
import type { MetaTarget } from "../../../events/configSchema.js"
import { majorUnits } from "../../../lib/money.js"
import { metaUserData } from "../identity/identifiers.js"
import type { MetaContent, MetaCustomData, MetaServerEvent, MetaUserData } from "./wire.js"

/** Meta refuses the whole request when any event_time is more than 7 days old. */
export const META_WINDOW_SECONDS = 7 * 24 * 60 * 60

export type MetaPlan =
  | {
      readonly _tag: "Send"
      readonly event: MetaServerEvent
      /** What was left out and why (a malformed cookie, no absolute event_source_url). */
      readonly notes: ReadonlyArray<string>
    }
  | { readonly _tag: "Skip"; readonly reason: "missing_identifiers" | "consent_denied"; readonly detail: string }
  | { readonly _tag: "Expired"; readonly detail: string }
  | { readonly _tag: "Invalid"; readonly detail: string }

const millis = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? undefined : ms
}

/**
 * `fb.<subdomainIndex>.<creation ms>.<payload>`, optionally with the Param Builder's 5th "appendix"
 * segment: the check Meta's own Param Builder applies to incoming `_fbc` / `_fbp` cookies. Anything
 * else (a URL-encoded value, a bare fbclid, a truncated cookie) would be sent as garbage.
 */
const BROWSER_ID = /^fb\.\d+\.\d+\.[^.\s]+(\.[^.\s]+)?$/

export interface BrowserIds {
  readonly fbc?: string
  readonly fbp?: string
  readonly notes: ReadonlyArray<string>
}

/**
 * A well-formed `_fbc` cookie passes through untouched. Without one, an fbclid becomes
 * `fb.1.<ms when the fbclid was first seen>.<fbclid>` (subdomain index 1: generated on a server), the
 * form Meta documents for servers that never stored the cookie. The fbclid is case-sensitive and is
 * not altered. Malformed values are dropped, with a note saying so.
 */
export const browserIds = (tracking: Tracking, orderTimeMs: number): BrowserIds => {
  const notes: Array<string> = []
  const wellFormed = (name: string, value: string | undefined) => {
    const v = value?.trim()
    if (!v) return undefined
    if (BROWSER_ID.test(v)) return v
    notes.push(`${name} dropped: not fb.<subdomainIndex>.<creationTime>.<value>`)
    return undefined
  }
  const fbclid = tracking.fbclid?.trim()
  const fbc =
    wellFormed("fbc cookie", tracking.fbc) ??
    (fbclid
      ? wellFormed("fbc from fbclid", `fb.1.${millis(tracking.fbclidCapturedAt) ?? orderTimeMs}.${fbclid}`)
      : undefined)
  const fbp = wellFormed("fbp cookie", tracking.fbp)
  return { ...(fbc ? { fbc } : {}), ...(fbp ? { fbp } : {}), notes }
}

/**
 * Meta's baseline for matching (Graph v13+): an event whose customer information is only one of these
 * sets, or a subset of one, is invalid.
 */
const INVALID_ALONE: ReadonlyArray<ReadonlyArray<string>> = [
  ["ct", "country", "st", "zp", "ge", "client_user_agent"],
  ["db", "client_user_agent"],
  ["fn", "ge"],
  ["ln", "ge"]
]

export const canMatch = (userData: MetaUserData): boolean => {
  const keys = Object.keys(userData)
  return keys.length > 0 && !INVALID_ALONE.some((set) => keys.every((key) => set.includes(key)))
}

const contentId = (item: LineItem) => item.sku ?? item.productId ?? item.variantId ?? item.product

const customData = (order: CanonicalOrder): MetaCustomData => {
  const currency = order.value.currency
  const contents: Array<MetaContent> = order.lineItems.flatMap((item) => {
    const id = contentId(item)
    return id === undefined ? [] : [{ id, quantity: item.quantity, item_price: majorUnits(item.priceMinor, currency) }]
  })
  const ids = [...new Set(contents.map((c) => c.id))]
  const numItems = order.lineItems.reduce((n, item) => n + item.quantity, 0)
  return {
    value: majorUnits(order.value.amountMinor, currency),
    currency,
    content_type: "product",
    ...(contents.length > 0 ? { contents, content_ids: ids } : {}),
    ...(numItems > 0 ? { num_items: numItems } : {}),
    order_id: order.platformOrderId
  }
}

const list = (value: string | undefined) => (value === undefined ? undefined : [value])

const userDataFor = (order: CanonicalOrder, ids: BrowserIds): MetaUserData => {
  const { fbc, fbp } = ids
  const browser = {
    ...(order.userAgent ? { client_user_agent: order.userAgent } : {}),
    ...(fbc ? { fbc } : {}),
    ...(fbp ? { fbp } : {})
  }
  // Consent denied: no contact data and no IP address leave the service; only the browser's own
  // pseudonymous cookies (and the user agent Meta requires for website events) remain.
  if (order.consent.adUserData === "denied") return browser
  const hashed = metaUserData(order.customer, order.market)
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(hashed)) out[key] = list(value)
  return { ...(out as MetaUserData), ...(order.clientIp ? { client_ip_address: order.clientIp } : {}), ...browser }
}

export const buildPurchase = (
  order: CanonicalOrder,
  target: MetaTarget,
  now: Date,
  urlParameters?: ReadonlySet<string>
): MetaPlan => {
  const placedMs = millis(order.placedAt)
  const eventMs = millis(order.paidAt) ?? placedMs
  if (eventMs === undefined || placedMs === undefined) {
    return { _tag: "Invalid", detail: `order ${order.orderKey} has no parsable placedAt/paidAt time` }
  }
  const nowSeconds = Math.floor(now.getTime() / 1000)
  // Meta rejects event times in the future; a shop clock a few seconds ahead must not fail the send.
  const eventTime = Math.min(Math.floor(eventMs / 1000), nowSeconds)
  const age = nowSeconds - eventTime
  if (age > META_WINDOW_SECONDS) {
    return {
      _tag: "Expired",
      detail: `event_time ${new Date(eventTime * 1000).toISOString()} is ${Math.floor(age / 86400)} days old; Meta accepts at most 7 days`
    }
  }
  const ids = browserIds(order.tracking, placedMs)
  const userData = userDataFor(order, ids)
  if (!canMatch(userData)) {
    return order.consent.adUserData === "denied"
      ? {
          _tag: "Skip",
          reason: "consent_denied",
          detail: "ad_user_data consent denied and no fbc/fbp cookie: nothing Meta could match without personal data"
        }
      : {
          _tag: "Skip",
          reason: "missing_identifiers",
          detail:
            "no email, phone, name, external id, IP address or fbc/fbp: Meta would reject the event as unmatchable"
        }
  }
  const dpo = target.dataProcessingOptions
  // Required for website events: the page the purchase happened on. The landing URL is the best
  // page-level value an order carries; the shop's own URL (eventSourceUrl) is the fallback. Absolute
  // http(s) URLs only (a path, Shopify's landing_site, says nothing about the site), and only with
  // the query parameters that may leave (lib/urlPrivacy.ts): never an email or token in a URL.
  const sourceUrl =
    partnerSafeUrl(order.tracking.landingUrl, urlParameters) ?? partnerSafeUrl(target.eventSourceUrl, urlParameters)
  // Both are required for website events; Meta still takes an event without them, but "may not" use
  // it for optimization, targeting or measurement, so the dispatch's detail says which is missing.
  const notes = [
    ...ids.notes,
    ...(sourceUrl === undefined
      ? ["no event_source_url: the order has no absolute landing URL and the target sets no eventSourceUrl"]
      : []),
    ...(userData.client_user_agent === undefined
      ? [
          "no client_user_agent: the platform sent no browser user agent (billing platforms such as Stripe do not); Meta may not use the event for optimization"
        ]
      : [])
  ]
  const event: MetaServerEvent = {
    event_name: "Purchase",
    event_time: eventTime,
    event_id: order.orderKey,
    action_source: "website",
    ...(sourceUrl === undefined ? {} : { event_source_url: sourceUrl }),
    user_data: userData,
    custom_data: customData(order),
    ...(dpo === undefined
      ? {}
      : {
          data_processing_options: dpo,
          ...(dpo.length > 0 ? { data_processing_options_country: 0, data_processing_options_state: 0 } : {})
        })
  }
  return { _tag: "Send", event, notes }
}
