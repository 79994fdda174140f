// Wire shapes of the console API that are the console's own (the rest reuse the admin API's:
// OrderView, OrderLog, RulesList, RedispatchReport, ...). The browser code imports their types.
import { Schema } from "effect"
import { OrderLog } from "../../orders/log.js"
import { OrderView } from "../../orders/view.js"

export const ConsoleScope = Schema.Literal("audit", "operate", "admin")

export const SessionInfo = Schema.Struct({
  sessionId: Schema.String,
  tokenId: Schema.String,
  scope: ConsoleScope,
  expiresAt: Schema.String,
  /** Send back as X-CSRF-Token on every request that changes something. */
  csrfToken: Schema.String
})
export type SessionInfo = typeof SessionInfo.Type

export const LoginBody = Schema.Struct({ token: Schema.String.pipe(Schema.maxLength(200)) })

export const TimelineEntry = Schema.Struct({
  position: Schema.Int,
  at: Schema.String,
  stage: Schema.String,
  what: Schema.String,
  target: Schema.String,
  status: Schema.String,
  duration: Schema.String
})
export type TimelineEntry = typeof TimelineEntry.Type

export const OrderDetail = Schema.Struct({
  view: OrderView,
  log: OrderLog,
  timeline: Schema.Array(TimelineEntry),
  /** Personal data shown in clear: an admin chose to reveal it, and that was recorded. */
  revealed: Schema.Boolean
})
export type OrderDetail = typeof OrderDetail.Type

export const RevealBody = Schema.Struct({
  orderKey: Schema.String,
  reason: Schema.String.pipe(Schema.minLength(3), Schema.maxLength(300))
})

export const LinkedOrder = Schema.Struct({ order: OrderDetail, expiresAt: Schema.String })
export type LinkedOrder = typeof LinkedOrder.Type

/** What the filter forms offer: the configured sources, targets, partners, and seen companies/markets. */
export const FilterOptions = Schema.Struct({
  companies: Schema.Array(Schema.String),
  markets: Schema.Array(Schema.String),
  partners: Schema.Array(Schema.String),
  targets: Schema.Array(Schema.String),
  sources: Schema.Array(Schema.String)
})
export type FilterOptions = typeof FilterOptions.Type

export const Done = Schema.Struct({ ok: Schema.Literal(true) })
