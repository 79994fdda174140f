// The needs-attention lists, each answered from an index: dispatches by state from dispatch_facts
// (sql/0005_projections.sql), breakers from the target streams (webhooks: webhooks/list.ts). Newest first, a page at
// most.
import type { Queryable } from "../../db/Db.js"
import { lastOfCategory } from "../../events/reads.js"
import { TARGET_CATEGORY } from "../../events/streams.js"
import { maskText } from "../../orders/mask.js"
import type { AttentionDispatch, OpenBreaker } from "./schema.js"
import type { AttentionState } from "./states.js"

export const PAGE = 200

const active = (sql: Queryable, name: string) => sql`(select active_generation from projections where name = ${name})`

interface FactRow {
  readonly order_key: string
  readonly target_id: string
  readonly kind: string
  readonly channel: string
  readonly status: string
  readonly attempts: number
  readonly last_attempt_at: Date | null
  readonly last_reason: string | null
  readonly last_message: string | null
  readonly company: string | null
  readonly placed_at: Date | null
}

/**
 * The dispatches in the given states, latest change first, from dispatch_facts by its state index;
 * the page's rows then read the partner's last message from the conversions view (the facts keep none).
 */
export const attentionDispatches = async (
  sql: Queryable,
  states: ReadonlyArray<AttentionState>
): Promise<{
  readonly dispatches: ReadonlyArray<AttentionDispatch>
  readonly counts: ReadonlyMap<string, number>
}> => {
  if (states.length === 0) return { dispatches: [], counts: new Map() }
  const statuses = states.map((s) => s.status as string)
  // One statement, so the counts and the page come from one snapshot: two queries on two connections
  // could list a dispatch the counts (read a moment before) do not have yet. The counts ride on every
  // row; no row means no dispatch in these states, so every count is 0.
  const rows = await sql<Array<FactRow & { readonly counts: Record<string, number> | null }>>`
      select f.order_key, f.target_id, f.kind, f.channel, f.status, f.attempts, f.last_attempt_at,
             f.last_reason, c.company, c.placed_at,
             (select d ->> 'lastMessage' from jsonb_array_elements(c.doc -> 'dispatch') d
              where d ->> 'targetId' = f.target_id and d ->> 'kind' = f.kind limit 1) as last_message,
             (select json_object_agg(n.status, n.n) from (
                select status, count(*)::int as n from dispatch_facts
                where generation = ${active(sql, "dispatch_facts")} and status = any(${statuses}::text[])
                group by status) n) as counts
      from (select * from dispatch_facts
            where generation = ${active(sql, "dispatch_facts")} and status = any(${statuses}::text[])
            order by updated_at desc limit ${PAGE}) f
      left join conversions c on c.generation = ${active(sql, "conversions")} and c.order_key = f.order_key
      order by f.updated_at desc, f.dispatch_key`
  const counts = Object.entries(rows[0]?.counts ?? {})
  const redispatchOf = new Map(states.map((s) => [s.status as string, s.redispatch as string]))
  return {
    dispatches: rows.map((r) => ({
      orderKey: r.order_key,
      company: r.company,
      placedAt: r.placed_at?.toISOString() ?? null,
      targetId: r.target_id,
      kind: r.kind,
      channel: r.channel,
      status: r.status,
      redispatchState: redispatchOf.get(r.status) ?? r.status,
      attempts: r.attempts,
      lastAttemptAt: r.last_attempt_at?.toISOString() ?? null,
      lastReason: r.last_reason,
      lastMessage: r.last_message === null ? null : maskText(r.last_message)
    })),
    counts: new Map(counts)
  }
}

/** Targets whose last breaker event opened the circuit until a time still ahead. */
export const openBreakers = async (sql: Queryable, now: Date): Promise<ReadonlyArray<OpenBreaker>> => {
  const rows = await lastOfCategory(sql, TARGET_CATEGORY)
  return rows.flatMap((r) => {
    if (r.type !== "CircuitOpened") return []
    const data = r.data as Record<string, unknown>
    const until = String(data.until ?? "")
    if (!(Date.parse(until) > now.getTime())) return []
    return [
      {
        targetId: String(data.targetId ?? ""),
        consecutiveFailures: Number(data.consecutiveFailures ?? 0),
        lastReason: maskText(String(data.lastReason ?? "")),
        openedAt: r.recordedAt.toISOString(),
        until
      }
    ]
  })
}
