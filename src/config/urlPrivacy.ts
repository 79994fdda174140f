// URLs that leave the service (Meta's event_source_url, any URL sent to a partner) carry no personal
// data. A landing URL is whatever the shopper's browser had: `?email=jane%40example.com` from a
// newsletter link, `?phone=...`, a password-reset token, a `#access_token=` fragment. So only a
// documented allow-list of query parameters survives: ad-platform click ids, the affiliate click-id
// parameters the configuration knows, and utm_* (each only when its value holds no email address or
// phone number, lib/pii.ts). Userinfo and the fragment are dropped, and a path that holds an email
// address or a phone number (in any percent-encoding) is cut to "/".

import type { PartnerRule, Source, Target } from "../events/configSchema.js"
import { hasPersonalData } from "../lib/pii.js"

/** Click ids of ad platforms and affiliate networks, under the names they use in landing URLs. */
export const CLICK_ID_PARAMETERS: ReadonlyArray<string> = [
  // Google (gclsrc tells which product set the gclid), Microsoft, Meta, TikTok, X, LinkedIn,
  // Pinterest, Snapchat, Yandex
  "gclid",
  "gbraid",
  "wbraid",
  "dclid",
  "gclsrc",
  "msclkid",
  "fbclid",
  "ttclid",
  "twclid",
  "li_fat_id",
  "epik",
  "sccid",
  "yclid",
  // Affiliate networks (the keys s2s reads click ids from: normalize/tracking.ts)
  "awc",
  "awin_awc",
  "irclickid",
  "ir_clickid",
  "impact_click_id",
  "cjevent",
  "cje",
  "clickid",
  "click_id",
  "ef_transaction_id",
  "transaction_id",
  "google_click_id"
]

const BUILT_IN = new Set(CLICK_ID_PARAMETERS)

/** Sub-id fields and the spellings s2s reads them from. */
const subKeys = (n: number) => [`sub${n}`, `subid${n}`, `sub_id${n}`, n === 1 ? "aff_sub" : `aff_sub${n}`]

const NOT_A_PARAMETER = new Set(["fbc", "fbp", "landing_url", "referrer", "coupon", "consent"])

/**
 * The query parameters the configuration names as click ids, kept beside the built-in ones: keys of
 * partner conditions (`awc`, `sub1=creator-*`), sources' `tracking:` keys for click-id fields, and
 * postback targets' `clickId`. Lower-cased (the allow-list ignores case).
 */
export const configuredUrlParameters = (config: {
  readonly sources: Iterable<Source>
  readonly partners: ReadonlyArray<PartnerRule>
  readonly targets: Iterable<Target>
}): ReadonlySet<string> => {
  const out = new Set<string>()
  const add = (key: string) => {
    const k = key.toLowerCase()
    if (k.startsWith("utm_") || NOT_A_PARAMETER.has(k)) return
    const sub = /^sub(\d)$/.exec(k)
    if (sub) for (const s of subKeys(Number(sub[1]))) out.add(s)
    out.add(k)
  }
  for (const partner of config.partners) for (const condition of partner.when) add(condition.split("=")[0] ?? "")
  for (const source of config.sources)
    for (const [field, keys] of Object.entries(source.tracking ?? {})) {
      if (field.startsWith("utm_") || NOT_A_PARAMETER.has(field)) continue
      add(field)
      for (const key of keys ?? []) add(key)
    }
  for (const target of config.targets) if (target.channel === "postback" && target.clickId) add(target.clickId)
  return out
}

/** Whether a query parameter may leave in a URL sent to a partner (case and one leading "_" ignored). */
export const keptParameter = (name: string, configured: ReadonlySet<string> = new Set()): boolean => {
  const key = name.toLowerCase().replace(/^_/, "")
  return key.startsWith("utm_") || BUILT_IN.has(key) || configured.has(key) || configured.has(`_${key}`)
}

/** Percent-decoded up to three times (double- and triple-encoded addresses are common in redirects). */
const decoded = (text: string): string => {
  let current = text
  for (let i = 0; i < 3; i++) {
    let next: string
    try {
      next = decodeURIComponent(current)
    } catch {
      next = current.replace(/%40/gi, "@").replace(/%2540/gi, "@")
    }
    if (next === current) break
    current = next
  }
  return current
}

/**
 * The URL as it may be sent to a partner: absolute http(s) only (anything else: undefined), without
 * userinfo, fragment, personal path or any query parameter outside the allow-list.
 */
export const partnerSafeUrl = (
  url: string | undefined,
  configured: ReadonlySet<string> = new Set()
): string | undefined => {
  if (url === undefined || url.trim() === "") return undefined
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return undefined
  parsed.username = ""
  parsed.password = ""
  parsed.hash = ""
  if (hasPersonalData(decoded(parsed.pathname))) parsed.pathname = "/"
  // A kept parameter still goes if its value holds an email address or a phone number
  // (utm_campaign=newsletter-jane@..., utm_content=callback-0151...).
  const kept = [...parsed.searchParams].filter(
    ([name, value]) => keptParameter(name, configured) && !hasPersonalData(decoded(value))
  )
  parsed.search = kept.length === 0 ? "" : new URLSearchParams(kept).toString()
  return parsed.toString()
}
