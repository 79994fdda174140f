// Candidate orders for a replan, from the conversions projection's live generation: paid orders that
// are not ignored or test orders, by company, partner, source and placement time. The projection may
// lag the log by a moment, so it only nominates; each order's stream decides (decide.ts).
import type { Queryable } from "../../db/Db.js"
import type { ReplanRequest } from "../request.js"

export const selectReplanOrders = async (
  sql: Queryable,
  r: ReplanRequest,
  limit: number
): Promise<{ readonly orderKeys: ReadonlyArray<string>; readonly truncated: boolean }> => {
  const rows = await sql<Array<{ order_key: string }>>`
    select c.order_key
    from conversions c
    where c.generation = (select active_generation from projections where name = 'conversions')
      and c.paid_at is not null and c.ignored_reason is null and not c.test
      and (${r.company ?? null}::text is null or c.company = ${r.company ?? null}::text)
      and (${r.partner ?? null}::text is null or c.partner = ${r.partner ?? null}::text)
      and (${r.sourceId ?? null}::text is null or c.source_id = ${r.sourceId ?? null}::text)
      and (${r.from ?? null}::timestamptz is null or c.placed_at >= ${r.from ?? null}::timestamptz)
      and (${r.to ?? null}::timestamptz is null or c.placed_at < ${r.to ?? null}::timestamptz)
    order by c.placed_at nulls last, c.order_key
    limit ${limit + 1}`
  return { orderKeys: rows.slice(0, limit).map((r) => r.order_key), truncated: rows.length > limit }
}
