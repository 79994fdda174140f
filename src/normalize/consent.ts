// Consent signals for Google's ad_user_data / ad_personalization. Platforms send none for tracking
// (order webhooks carry marketing opt-ins at most), so a shop that captures a consent snapshot at
// checkout stores it in an attribute (note attribute, meta key, metadata) named by the `consent`
// tracking keys. Its value is read leniently: Consent Mode strings ("ad_user_data=granted;..."),
// CMP-style objects ("{marketing:true,...}") or a single yes/no. A recognised attribute replaces the
// platform's signal; anything unrecognised says nothing, so the channel's default applies.
import type { Consent } from "../events/CanonicalOrder.js"
import { compact } from "../lib/compact.js"

type Value = "granted" | "denied"

const verdict = (raw: string): Value | undefined => {
  const v = raw.toLowerCase()
  if (["granted", "true", "yes", "1", "accepted", "allow", "allowed", "opt_in", "opt-in", "all"].includes(v)) {
    return "granted"
  }
  if (["denied", "false", "no", "0", "declined", "deny", "rejected", "opt_out", "opt-out", "none"].includes(v)) {
    return "denied"
  }
  return undefined
}

const PAIR = /(ad_user_data|ad_personalization|ad_storage|marketing|advertising)["']?\s*[:=]\s*["']?([a-z0-9_-]+)/gi

/** Reads one consent attribute; {} when the value says nothing recognisable. */
export const consentFromText = (value: string, source: string): Consent => {
  const found: { adUserData?: Value; adPersonalization?: Value; both?: Value } = {}
  for (const match of value.matchAll(PAIR)) {
    const name = (match[1] ?? "").toLowerCase()
    const v = verdict(match[2] ?? "")
    if (v === undefined) continue
    if (name === "ad_user_data") found.adUserData = v
    else if (name === "ad_personalization") found.adPersonalization = v
    else found.both ??= v
  }
  const whole = verdict(value.trim().replace(/^["']|["']$/g, ""))
  const adUserData = found.adUserData ?? found.both ?? whole
  const adPersonalization = found.adPersonalization ?? found.both ?? whole
  if (adUserData === undefined && adPersonalization === undefined) return {}
  return compact({ adUserData, adPersonalization, source })
}

/**
 * A marketing opt-in (Shopify email_marketing_consent "subscribed", Stripe consent.promotions
 * "opt_in") is taken as a grant. Its absence, or "not_subscribed", says nothing about ad consent.
 */
export const marketingOptIn = (optedIn: boolean, source: string): Consent =>
  optedIn ? { adUserData: "granted", adPersonalization: "granted", source } : {}

/** The attribute's consent when it says anything, else the platform's. */
export const mergeConsent = (platform: Consent | undefined, attribute: Consent | undefined): Consent =>
  attribute && (attribute.adUserData || attribute.adPersonalization) ? attribute : (platform ?? {})
