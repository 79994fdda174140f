// The log's side of a GDPR erasure (src/privacy/erase.ts): finding the subject's events, and the one
// place where events are rewritten. Rewriting runs only as the owner role, inside the transaction
// that set the guarded escape hatch of sql/0002_privacy.sql (`set local s2s.erasure = 'on'`).
import type { Queryable } from "../../db/Db.js"
import { orderKeyOf, WEBHOOK_CATEGORY } from "../streams.js"

/** The orders whose customer has this (normalized) email, with the phone and market they carry. */
export const ordersOfEmail = async (sql: Queryable, normalizedEmail: string) =>
  (
    await sql<Array<{ stream_id: string; phone: string | null; market: string | null }>>`
      select stream_id, data->'order'->'customer'->>'phone' as phone, data->'order'->>'market' as market
      from events
      where type = 'OrderNormalized' and lower(data->'order'->'customer'->>'email') = ${normalizedEmail}`
  ).map((r) => ({ streamId: r.stream_id, orderKey: orderKeyOf(r.stream_id)!, phone: r.phone, market: r.market }))

/**
 * The streams other than the orders' own with an event that names one of these orders (through the
 * events_order_key partial index, whose predicate the query repeats literally).
 */
export const streamsNamingOrders = async (
  sql: Queryable,
  orderKeys: ReadonlyArray<string>
): Promise<ReadonlyArray<string>> =>
  orderKeys.length === 0
    ? []
    : (
        await sql<Array<{ stream_id: string }>>`
          select distinct stream_id from events
          where data ? 'orderKey' and stream_id not like 'order-%'
            and (data->>'orderKey') = any(${orderKeys as Array<string>}::text[])`
      ).map((r) => r.stream_id)

/** The raw bodies of the deliveries of these webhook streams (other streams are ignored). */
export const deliveredBodies = async (sql: Queryable, streamIds: ReadonlyArray<string>) => {
  const webhooks = streamIds.filter((s) => s.startsWith(WEBHOOK_CATEGORY))
  return webhooks.length === 0
    ? []
    : (
        await sql<Array<{ body: unknown }>>`
          select data->'body' as body from events
          where stream_id = any(${webhooks}::text[]) and type in ('WebhookReceived', 'WebhookDuplicateReceived')`
      ).map((r) => r.body)
}

/**
 * The raw bodies of every delivery or refusal that is base64 or whose text matches one of these
 * (case-insensitive POSIX) patterns: candidates the caller checks in full.
 */
export const bodiesMatching = async (sql: Queryable, patterns: ReadonlyArray<string>) =>
  (
    await sql<Array<{ stream_id: string; body: unknown }>>`
      select stream_id, data->'body' as body from events
      where type in ('WebhookReceived', 'WebhookDuplicateReceived', 'WebhookRejected')
        and (data->'body'->>'encoding' = 'base64' or (data->'body'->>'text') ~* ${patterns.join("|")})`
  ).map((r) => ({ streamId: r.stream_id, body: r.body }))

/**
 * Rewrites the data of the events of these streams: `erase` returns an event's new data, or
 * undefined to leave it. Only in a transaction with the erasure escape hatch on (the events table
 * refuses updates otherwise). Returns how many events changed.
 */
export const rewriteForErasure = async (
  tx: Queryable,
  streamIds: ReadonlyArray<string>,
  erase: (type: string, data: Record<string, unknown>) => Record<string, unknown> | undefined
): Promise<number> => {
  if (streamIds.length === 0) return 0
  const rows = await tx<Array<{ global_position: string; type: string; data: Record<string, unknown> }>>`
    select global_position, type, data from events where stream_id = any(${streamIds as Array<string>}::text[])`
  let changed = 0
  for (const row of rows) {
    const erased = erase(row.type, row.data)
    if (erased === undefined) continue
    await tx`update events set data = ${tx.json(erased as never)} where global_position = ${row.global_position}`
    changed++
  }
  return changed
}
