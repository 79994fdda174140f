// Which click id {click_id} stands for. A target can name the key (`clickId: awc`); otherwise the
// partner's usual landing parameter is used. Only for a partner whose key is not known is the first
// affiliate click id the order carries used. Neither a configured key nor a known partner key ever
// falls back: sending another network's id (a cjevent to Awin) is worse than skipping.
import type { CanonicalOrder } from "../../../events/CanonicalOrder.js"

/** Partner id (or its first segment: "awin-de" -> "awin") -> the click id key that network uses. */
export const DEFAULT_CLICK_ID_KEYS: ReadonlyMap<string, string> = new Map([
  ["awin", "awc"],
  ["impact", "irclickid"],
  ["cj", "cjevent"],
  ["everflow", "transaction_id"],
  ["tune", "transaction_id"],
  ["hasoffers", "transaction_id"],
  ["voluum", "cid"],
  ["redtrack", "clickid"],
  ["microsoft", "msclkid"],
  ["bing", "msclkid"],
  ["tiktok", "ttclid"]
])

// Sub ids and campaign data share clickIds with real click ids; they never stand for one.
const NOT_A_CLICK_ID = /^(sub_?(id)?\d*|subid\d*|aff_sub\d*|utm_.*)$/i

const TOP_LEVEL = ["gclid", "gbraid", "wbraid", "fbclid", "fbc", "fbp"] as const
type TopLevel = (typeof TOP_LEVEL)[number]

const lookup = (order: CanonicalOrder, key: string): string | undefined => {
  const value = (TOP_LEVEL as ReadonlyArray<string>).includes(key)
    ? order.tracking[key as TopLevel]
    : Object.hasOwn(order.tracking.clickIds, key)
      ? order.tracking.clickIds[key]
      : undefined
  return value === undefined || value.trim() === "" ? undefined : value
}

export interface ResolvedClickId {
  /** The key looked for (or found), for the skip message. */
  readonly key: string | undefined
  readonly value: string | undefined
}

export const resolveClickId = (order: CanonicalOrder, configuredKey: string | undefined): ResolvedClickId => {
  if (configuredKey !== undefined) return { key: configuredKey, value: lookup(order, configuredKey) }
  const partner = order.partner?.toLowerCase()
  const partnerKey =
    partner === undefined
      ? undefined
      : (DEFAULT_CLICK_ID_KEYS.get(partner) ?? DEFAULT_CLICK_ID_KEYS.get(partner.split(/[-_.]/)[0] ?? ""))
  if (partnerKey !== undefined) return { key: partnerKey, value: lookup(order, partnerKey) }
  const first = Object.entries(order.tracking.clickIds).find(([k, v]) => !NOT_A_CLICK_ID.test(k) && v.trim() !== "")
  return first === undefined ? { key: undefined, value: undefined } : { key: first[0], value: first[1] }
}
