// The rules page's what-if: a pasted or uploaded s2s.yaml checked against the recent orders, without
// applying anything.
import { Schema } from "effect"

export const WhatIfBody = Schema.Struct({
  yaml: Schema.String.pipe(Schema.maxLength(1_048_576)),
  /** Orders placed in the last N days (default 7). */
  days: Schema.optional(Schema.Int.pipe(Schema.between(1, 90)))
})

export const RoutingChange = Schema.Struct({
  orderKey: Schema.String,
  placedAt: Schema.NullOr(Schema.String),
  company: Schema.String,
  partner: Schema.NullOr(Schema.String),
  products: Schema.Array(Schema.String),
  /** Targets with the current configuration, then with the file (target ids). */
  before: Schema.Array(Schema.String),
  after: Schema.Array(Schema.String)
})
export type RoutingChange = typeof RoutingChange.Type

export const WhatIfReport = Schema.Struct({
  /** Orders placed since (ISO), newest first, at most `limit` of them. */
  since: Schema.String,
  examined: Schema.Int,
  /** More orders were placed in the range than examined (the newest were). */
  truncated: Schema.Boolean,
  changed: Schema.Int,
  byTarget: Schema.Array(Schema.Struct({ targetId: Schema.String, gained: Schema.Int, lost: Schema.Int })),
  rules: Schema.Struct({
    added: Schema.Array(Schema.String),
    removed: Schema.Array(Schema.String),
    changed: Schema.Array(Schema.String)
  }),
  /** The first changes, newest order first. */
  changes: Schema.Array(RoutingChange)
})
export type WhatIfReport = typeof WhatIfReport.Type
