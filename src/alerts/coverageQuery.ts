// The coverage digest's input: one row per real order paid on a UTC day, read from the conversions
// read model (sql/0005_projections.sql, active generation), in pages so a Black Friday day does not
// sit in memory as full documents; only the small coverage rows are kept.
import { Schema } from "effect"
import type { Queryable } from "../db/Db.js"
import { CanonicalOrder } from "../events/CanonicalOrder.js"
import type { PartnerRule } from "../events/configSchema.js"
import { type CoverageRow, coverageRowOf } from "./coverage.js"

const PAGE = 1000

// The parts of a conversion view's `doc` the digest reads; the rest is not ours to decode.
const Row = Schema.Struct({
  order_key: Schema.String,
  order: CanonicalOrder,
  dispatch: Schema.NullOr(Schema.Array(Schema.Struct({ kind: Schema.String, status: Schema.String })))
})
const decodeRow = Schema.decodeUnknownSync(Row)

/** "2026-03-09" -> [2026-03-09T00:00Z, 2026-03-10T00:00Z) */
export const dayRange = (day: string): { readonly from: Date; readonly to: Date } => {
  const from = new Date(`${day}T00:00:00.000Z`)
  if (Number.isNaN(from.getTime()) || from.toISOString().slice(0, 10) !== day) throw new Error(`not a day: ${day}`)
  return { from, to: new Date(from.getTime() + 86_400_000) }
}

/** The UTC day before the one `at` falls on. */
export const previousDay = (at: Date): string => new Date(at.getTime() - 86_400_000).toISOString().slice(0, 10)

/**
 * Delivered: every conversion the order was routed to was accepted. An order routed nowhere owes
 * nothing to anyone, so it counts as delivered; its missing click id still shows in the other share.
 */
export const coverageRows = async (
  sql: Queryable,
  day: string,
  partners: ReadonlyArray<PartnerRule>
): Promise<ReadonlyArray<CoverageRow>> => {
  const { from, to } = dayRange(day)
  const rows: Array<CoverageRow> = []
  let after = ""
  for (;;) {
    const page = await sql<Array<{ order_key: string; order: unknown; dispatch: unknown }>>`
      select order_key, doc->'order'->'order' as order, doc->'dispatch' as dispatch
      from conversions
      where generation = (select active_generation from projections where name = 'conversions')
        and status in ('paid', 'partially_refunded', 'refunded')
        and not test and ignored_reason is null
        and coalesce(paid_at, placed_at) >= ${from} and coalesce(paid_at, placed_at) < ${to}
        and order_key > ${after}
        and doc->'order'->'order' is not null
      order by order_key
      limit ${PAGE}`
    for (const raw of page) {
      const row = decodeRow(raw)
      const conversions = (row.dispatch ?? []).filter((d) => d.kind === "conversion")
      rows.push(
        coverageRowOf(
          row.order,
          conversions.every((d) => d.status === "succeeded"),
          partners
        )
      )
    }
    if (page.length < PAGE) return rows
    after = page[page.length - 1]!.order_key
  }
}
