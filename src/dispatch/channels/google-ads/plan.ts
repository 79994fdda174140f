// What a Google conversion carries, decided once for both APIs (Data Manager and Ads API): the
// transaction id, time and value; which click id; which hashed identifiers; which consent. Pure.

import type { CanonicalOrder, Tracking } from "../../../events/CanonicalOrder.js"
import type { GoogleAdsTarget } from "../../../events/configSchema.js"
import type { FailureReason } from "../../../events/dispatch.js"
import { majorUnits } from "../../../lib/money.js"
import type { DispatchInput, SkipReason } from "../../Channel.js"
import { type GoogleHashedIdentifiers, googleIdentifiers } from "../identity/identifiers.js"

/** Google attributes a click conversion only once the click is 6 hours old (TOO_RECENT_EVENT). */
export const CLICK_MATURITY_MS = 6 * 60 * 60 * 1000

export type Outcome<A> =
  | { readonly _tag: "Ok"; readonly value: A }
  | { readonly _tag: "Skip"; readonly reason: SkipReason; readonly detail: string }
  | {
      readonly _tag: "Fail"
      readonly reason: FailureReason
      readonly retryable: boolean
      readonly detail: string
      readonly retryAt?: Date
    }

const ok = <A>(value: A): Outcome<A> => ({ _tag: "Ok", value })

export interface GoogleConversion {
  /** The platform order id: Google's order_id / transactionId, and the key of every adjustment. */
  readonly transactionId: string
  readonly conversionTime: Date
  /** The latest the click can have happened: the order's placement (every click precedes its order). */
  readonly clickBound: Date
  readonly valueMinor: number
  readonly value: number
  readonly currency: string
}

const parseTime = (iso: string | undefined) => {
  if (iso === undefined) return undefined
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? undefined : new Date(ms)
}

/**
 * Conversion facts. The value is what the conversion is worth after this dispatch: the order total for
 * the conversion, the new total for a restatement (DispatchInput.valueMinor), 0 for a retraction.
 */
export const conversionFacts = (input: DispatchInput<GoogleAdsTarget>): Outcome<GoogleConversion> => {
  const { order } = input
  const placed = parseTime(order.placedAt)
  const conversionTime = parseTime(order.paidAt) ?? placed
  if (placed === undefined || conversionTime === undefined) {
    return { _tag: "Fail", reason: "InvalidPayload", retryable: false, detail: "the order has no parsable time" }
  }
  const valueMinor =
    input.kind === "restatement"
      ? (input.valueMinor ?? order.value.amountMinor - order.refundedMinor)
      : input.kind === "retraction"
        ? 0
        : order.value.amountMinor
  if (valueMinor < 0) {
    return { _tag: "Fail", reason: "InvalidPayload", retryable: false, detail: `negative value ${valueMinor}` }
  }
  return ok({
    transactionId: order.platformOrderId,
    conversionTime,
    clickBound: placed,
    valueMinor,
    value: majorUnits(valueMinor, order.value.currency),
    currency: order.value.currency
  })
}

/** When a retry can succeed after TOO_RECENT: 6 h after the latest possible click, never in the past. */
export const tooRecentRetryAt = (clickBound: Date, now: Date): Date => {
  const at = clickBound.getTime() + CLICK_MATURITY_MS
  return new Date(at > now.getTime() ? at : now.getTime() + 60 * 60 * 1000)
}

export type ConsentChoice = "granted" | "denied" | "unspecified"
export interface GoogleConsent {
  readonly adUserData: ConsentChoice
  readonly adPersonalization: ConsentChoice
}

/**
 * The order's own signals first, then the target's defaultConsent. With neither, ad_user_data is
 * unknown, and Google counts a missing value as no consent: that is a configuration problem, not
 * something to paper over with UNSPECIFIED. ad_personalization falls back to denied: it never
 * affects measurement, and personalization is not assumed without a signal.
 */
export const resolveConsent = (order: CanonicalOrder, target: GoogleAdsTarget): Outcome<GoogleConsent> => {
  const adUserData = order.consent.adUserData ?? target.defaultConsent
  if (adUserData === undefined) {
    return {
      _tag: "Fail",
      reason: "Configuration",
      retryable: false,
      detail:
        `order ${order.orderKey} carries no ad_user_data consent and target ${target.id} sets no defaultConsent; ` +
        "Google treats missing consent as none. Capture consent at checkout, or set defaultConsent for markets where that is lawful"
    }
  }
  return ok({ adUserData, adPersonalization: order.consent.adPersonalization ?? target.defaultConsent ?? "denied" })
}

export interface ClickId {
  readonly kind: "gclid" | "gbraid" | "wbraid"
  readonly value: string
}

/**
 * Click ids are opaque URL-safe tokens; Google refuses a modified one (UNPARSEABLE_GCLID) and the Data
 * Manager API fails the whole request for one bad event, so values that were URL-encoded, truncated
 * or glued to other parameters are dropped here instead of being sent.
 */
const CLICK_ID = /^[A-Za-z0-9_-]{8,1024}={0,2}$/

/** Exactly one click id: gclid first (the web click itself), then gbraid, then wbraid, skipping malformed ones. */
export const pickClickId = (
  tracking: Tracking
): { readonly click?: ClickId; readonly notes: ReadonlyArray<string> } => {
  const notes: Array<string> = []
  for (const kind of ["gclid", "gbraid", "wbraid"] as const) {
    const value = tracking[kind]?.trim()
    if (!value) continue
    if (CLICK_ID.test(value)) return { click: { kind, value }, notes }
    notes.push(`${kind} dropped: not a well-formed click id`)
  }
  return { notes }
}

export interface GoogleMatch {
  readonly click?: ClickId
  /** Empty when ad_user_data is denied. */
  readonly identifiers: GoogleHashedIdentifiers
  readonly consent: GoogleConsent
  readonly notes: ReadonlyArray<string>
}

/** Click id, identifiers and consent, or the reason there is nothing Google could attribute. */
export const matchData = (order: CanonicalOrder, target: GoogleAdsTarget): Outcome<GoogleMatch> => {
  const consent = resolveConsent(order, target)
  if (consent._tag !== "Ok") return consent
  const { click, notes } = pickClickId(order.tracking)
  const hashed = googleIdentifiers(order.customer, order.market)
  const denied = consent.value.adUserData === "denied"
  const identifiers = denied ? {} : hashed
  const hasIdentifiers = identifiers.email !== undefined || identifiers.phone !== undefined
  if (click === undefined && !hasIdentifiers) {
    const hadIdentifiers = hashed.email !== undefined || hashed.phone !== undefined
    return denied && hadIdentifiers
      ? {
          _tag: "Skip",
          reason: "consent_denied",
          detail: "no Google click id, and ad_user_data consent is denied so no email/phone may be sent"
        }
      : {
          _tag: "Skip",
          reason: "missing_identifiers",
          detail: ["no gclid/gbraid/wbraid and no valid email or phone to match on", ...notes].join("; ")
        }
  }
  return ok({
    ...(click === undefined ? {} : { click }),
    identifiers,
    consent: consent.value,
    notes: denied ? [...notes, "ad_user_data denied: no user identifiers sent"] : notes
  })
}
