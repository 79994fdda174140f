// The needs-attention lists, each answered from an index: dispatches by state through the GIN index
// on the conversions view's dispatch entries (sql/0051), normalization failures through their partial
// index on events (sql/0053), breakers from the target streams. Newest first, a page at most.
import type { Queryable } from "../../db/Db.js"
import { maskText } from "../../orders/mask.js"
import type { AttentionDispatch, NormalizationFailure, OpenBreaker } from "./schema.js"
import type { AttentionState } from "./states.js"

export const PAGE = 200

const ACTIVE = (sql: Queryable) => sql`(select active_generation from projections where name = 'conversions')`

const anyState = (sql: Queryable, states: ReadonlyArray<AttentionState>) =>
  states
    .map((s) => sql`(c.doc -> 'dispatch') @> ${sql.json([{ status: s.status }])}`)
    .reduce((all, next) => sql`${all} or ${next}`)

interface EntryRow {
  readonly order_key: string
  readonly company: string | null
  readonly placed_at: Date | null
  readonly entry: {
    readonly targetId: string
    readonly kind: string
    readonly channel: string
    readonly status: string
    readonly attempts: number
    readonly lastAttemptAt?: string
    readonly lastReason?: string
    readonly lastMessage?: string
  }
}

export const attentionDispatches = async (
  sql: Queryable,
  states: ReadonlyArray<AttentionState>
): Promise<{
  readonly dispatches: ReadonlyArray<AttentionDispatch>
  readonly counts: ReadonlyMap<string, number>
}> => {
  if (states.length === 0) return { dispatches: [], counts: new Map() }
  const statuses = states.map((s) => s.status as string)
  const matching = () => sql`
    from conversions c cross join lateral jsonb_array_elements(c.doc -> 'dispatch') d(entry)
    where c.generation = ${ACTIVE(sql)} and (${anyState(sql, states)})
      and d.entry ->> 'status' = any(${statuses}::text[])`
  const [rows, counts] = await Promise.all([
    sql<Array<EntryRow>>`
      select c.order_key, c.company, c.placed_at, d.entry ${matching()}
      order by d.entry ->> 'lastAttemptAt' desc nulls last, c.order_key
      limit ${PAGE}`,
    sql<
      Array<{ status: string; n: number }>
    >`select d.entry ->> 'status' as status, count(*)::int as n ${matching()} group by 1`
  ])
  const redispatchOf = new Map(states.map((s) => [s.status as string, s.redispatch as string]))
  return {
    dispatches: rows.map((r) => ({
      orderKey: r.order_key,
      company: r.company,
      placedAt: r.placed_at?.toISOString() ?? null,
      targetId: r.entry.targetId,
      kind: r.entry.kind,
      channel: r.entry.channel,
      status: r.entry.status,
      redispatchState: redispatchOf.get(r.entry.status) ?? r.entry.status,
      attempts: r.entry.attempts,
      lastAttemptAt: r.entry.lastAttemptAt ?? null,
      lastReason: r.entry.lastReason ?? null,
      lastMessage: r.entry.lastMessage === undefined ? null : maskText(r.entry.lastMessage)
    })),
    counts: new Map(counts.map((c) => [c.status, c.n]))
  }
}

/** Webhooks whose latest normalization record is a failure (a later success or re-run clears them). */
export const normalizationFailures = async (
  sql: Queryable,
  limit = PAGE
): Promise<{ readonly failures: ReadonlyArray<NormalizationFailure>; readonly truncated: boolean }> => {
  const rows = await sql<
    Array<{ webhook_id: string; source_id: string; reason: string; path: string | null; recorded_at: Date }>
  >`
    select f.data ->> 'webhookId' as webhook_id, f.data ->> 'sourceId' as source_id, f.data ->> 'reason' as reason,
           f.data ->> 'path' as path, f.recorded_at
    from events f
    where f.type = 'NormalizationFailed'
      and not exists (
        select 1 from events n
        where n.stream_id = f.stream_id and n.stream_version > f.stream_version
          and n.type in ('WebhookNormalized', 'NormalizationFailed'))
    order by f.global_position desc
    limit ${limit + 1}`
  return {
    failures: rows.slice(0, limit).map((r) => ({
      webhookId: r.webhook_id,
      sourceId: r.source_id,
      reason: maskText(r.reason),
      path: r.path,
      failedAt: r.recorded_at.toISOString()
    })),
    truncated: rows.length > limit
  }
}

/** Targets whose last breaker event opened the circuit until a time still ahead. */
export const openBreakers = async (sql: Queryable, now: Date): Promise<ReadonlyArray<OpenBreaker>> => {
  const rows = await sql<Array<{ type: string; data: Record<string, unknown>; recorded_at: Date }>>`
    select distinct on (stream_id) type, data, recorded_at
    from events
    where stream_id like 'target-%'
    order by stream_id, stream_version desc`
  return rows.flatMap((r) => {
    if (r.type !== "CircuitOpened") return []
    const until = String(r.data.until ?? "")
    if (!(Date.parse(until) > now.getTime())) return []
    return [
      {
        targetId: String(r.data.targetId ?? ""),
        consecutiveFailures: Number(r.data.consecutiveFailures ?? 0),
        lastReason: maskText(String(r.data.lastReason ?? "")),
        openedAt: r.recorded_at.toISOString(),
        until
      }
    ]
  })
}
