// Candidate orders for a re-dispatch, from the conversions projection's live generation: orders placed
// in the range with a dispatch of the kind (and target, and state) asked for. The projection may lag
// the log by a moment, so it only nominates; each order's stream decides (see decide.ts). Explicit
// order keys skip the projection altogether.
import type { Queryable } from "../../db/Db.js"
import type { DispatchFilter } from "./decide.js"
import { statusesOf } from "./decide.js"

export interface OrderSelection extends DispatchFilter {
  readonly from?: Date | undefined
  readonly to?: Date | undefined
}

export const selectOrders = async (
  sql: Queryable,
  selection: OrderSelection,
  limit: number
): Promise<{ readonly orderKeys: ReadonlyArray<string>; readonly truncated: boolean }> => {
  const statuses = selection.state === undefined ? null : [...statusesOf(selection.state)]
  const rows = await sql<Array<{ order_key: string }>>`
    select c.order_key
    from conversions c
    where c.generation = (select active_generation from projections where name = 'conversions')
      and (${selection.from ?? null}::timestamptz is null or c.placed_at >= ${selection.from ?? null}::timestamptz)
      and (${selection.to ?? null}::timestamptz is null or c.placed_at < ${selection.to ?? null}::timestamptz)
      and exists (
        select 1 from jsonb_array_elements(c.doc->'dispatch') d
        where d->>'kind' = ${selection.kind}
          and (${selection.target ?? null}::text is null or d->>'targetId' = ${selection.target ?? null}::text)
          and (${statuses}::text[] is null or d->>'status' = any(${statuses}::text[])))
    order by c.placed_at nulls last, c.order_key
    limit ${limit + 1}`
  return { orderKeys: rows.slice(0, limit).map((r) => r.order_key), truncated: rows.length > limit }
}
