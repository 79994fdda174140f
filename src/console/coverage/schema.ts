// The coverage and reconciliation page: per company x market x partner x day, how many paid orders
// carried a click id their partner can use, were eligible, delivered and acknowledged by the
// platform; the campaigns and landing pages losing click ids; and per target which identifiers went
// out and under which consent.
import { Schema } from "effect"

export const Funnel = Schema.Struct({
  /** Paid orders (paid, partially refunded, refunded; test and ignored orders left out). */
  paid: Schema.Int,
  /** Carrying a click id their own partner can match on (gclid/gbraid/wbraid for Google, ...). */
  withClickId: Schema.Int,
  /** Routed to at least one target that did not skip them. */
  eligible: Schema.Int,
  /** Eligible, and accepted by every target that did not skip them. */
  delivered: Schema.Int,
  /** Delivered, and every platform said so in its response (events_received, requestId, ...). */
  acknowledged: Schema.Int
})
export type Funnel = typeof Funnel.Type

export const CoverageRow = Schema.Struct({
  day: Schema.String,
  company: Schema.NullOr(Schema.String),
  market: Schema.NullOr(Schema.String),
  partner: Schema.NullOr(Schema.String),
  ...Funnel.fields
})
export type CoverageRow = typeof CoverageRow.Type

export const LostClickIds = Schema.Struct({
  partner: Schema.String,
  /** A campaign (utm_campaign) or a landing page (host and path, e-mail addresses scrubbed). */
  name: Schema.NullOr(Schema.String),
  orders: Schema.Int
})

export const MatchQuality = Schema.Struct({
  targetId: Schema.String,
  channel: Schema.String,
  /** Conversions sent (a request made) to the target for the orders in the range. */
  sent: Schema.Int,
  email: Schema.Int,
  phone: Schema.Int,
  address: Schema.Int,
  clickId: Schema.Int,
  ip: Schema.Int,
  userAgent: Schema.Int,
  consentGranted: Schema.Int,
  consentDenied: Schema.Int,
  consentUnknown: Schema.Int
})
export type MatchQuality = typeof MatchQuality.Type

export const Coverage = Schema.Struct({
  from: Schema.String,
  to: Schema.String,
  totals: Funnel,
  /** One entry per day in the range, oldest first (the chart). */
  days: Schema.Array(Schema.Struct({ day: Schema.String, ...Funnel.fields })),
  rows: Schema.Array(CoverageRow),
  lostCampaigns: Schema.Array(LostClickIds),
  lostLandingPages: Schema.Array(LostClickIds),
  matchQuality: Schema.Array(MatchQuality)
})
export type Coverage = typeof Coverage.Type

export interface CoverageFilters {
  readonly from: Date
  readonly to: Date
  readonly company?: string | undefined
  readonly market?: string | undefined
  readonly partner?: string | undefined
}
