// Which click ids a partner can match on, as the daily coverage digest judges it (alerts/coverage.ts
// hasUsableClickId): the click id keys its partner rule names, else Google's or Meta's own; a partner
// recognised by UTM values alone has none.
import { clickIdKeys, GOOGLE_KEYS, META_KEYS } from "../../alerts/signals.js"
import type { PartnerRule } from "../../events/configSchema.js"

export const usableKeys = (partner: string, partners: ReadonlyArray<PartnerRule>): ReadonlyArray<string> => {
  const rule = partners.find((p) => p.id === partner)
  const keys = rule === undefined ? [] : clickIdKeys(rule)
  if (keys.length > 0) return keys
  return partner === "google" ? GOOGLE_KEYS : partner === "meta" ? META_KEYS : []
}

/** partner -> keys, for every partner named by a rule plus Google and Meta (SQL reads it as jsonb). */
export const usableKeyMap = (partners: ReadonlyArray<PartnerRule>): Record<string, ReadonlyArray<string>> =>
  Object.fromEntries(
    [...new Set(["google", "meta", ...partners.map((p) => p.id)])].map((id) => [id, usableKeys(id, partners)])
  )

export const hasUsable = (
  partner: string | null,
  clickKeys: ReadonlyArray<string>,
  map: Record<string, ReadonlyArray<string>>
): boolean => partner !== null && (map[partner] ?? []).some((k) => clickKeys.includes(k))
