// Reads of the webhook streams straight from the log (no projection lag), for the operations that
// re-run webhooks, the webhook problem listing and the Idempotency-Key check. Each returns rows; the
// caller shapes them.
import type { Queryable } from "../../db/Db.js"
import { webhookStream } from "../streams.js"

/** The hash of a webhook's first delivery (version 1 of its stream; erasure keeps the hash). */
export const firstDeliveryHash = async (
  sql: Queryable,
  webhookStreamId: string
): Promise<string | null | undefined> => {
  const [first] = await sql<Array<{ sha256: string | null }>>`
    select data->'body'->>'sha256' as sha256 from events where stream_id = ${webhookStreamId} and stream_version = 1`
  return first === undefined ? undefined : first.sha256
}

export interface ReceivedSelection {
  readonly webhookIds?: ReadonlyArray<string> | undefined
  readonly sourceId?: string | undefined
  readonly from?: Date | undefined
  readonly to?: Date | undefined
  /** Only those whose last normalization record is a failure. */
  readonly failedOnly: boolean
}

/**
 * Each WebhookReceived (by global position) with its last normalization record (WebhookNormalized or
 * NormalizationFailed, found through the stream's unique (stream_id, stream_version) index). A time
 * range uses the recorded_at index; a selection by source alone scans the webhooks' events.
 */
export const selectReceived = (sql: Queryable, selection: ReceivedSelection, limit: number) => {
  const streams = selection.webhookIds === undefined ? null : selection.webhookIds.map(webhookStream)
  return sql<Array<{ webhook_id: string; source_id: string; topic: string | null; received_at: string }>>`
    select r.data->>'webhookId' as webhook_id, r.data->>'sourceId' as source_id, r.data->>'topic' as topic,
           r.data->>'receivedAt' as received_at
    from events r
    left join lateral (
      select n.type from events n
      where n.stream_id = r.stream_id and n.type in ('WebhookNormalized', 'NormalizationFailed')
      order by n.stream_version desc
      limit 1
    ) last on true
    where r.type = 'WebhookReceived'
      and (${streams}::text[] is null or r.stream_id = any(${streams}::text[]))
      and (${selection.sourceId ?? null}::text is null or r.data->>'sourceId' = ${selection.sourceId ?? null}::text)
      and (${selection.from ?? null}::timestamptz is null or r.recorded_at >= ${selection.from ?? null}::timestamptz)
      and (${selection.to ?? null}::timestamptz is null or r.recorded_at < ${selection.to ?? null}::timestamptz)
      and (${!selection.failedOnly}::boolean or last.type = 'NormalizationFailed')
    order by r.global_position
    limit ${limit}`
}

export interface ProblemFilters {
  readonly normalizationFailed: boolean
  readonly rejected: boolean
  readonly source?: string | undefined
  /** ISO, inclusive. */
  readonly from?: string | undefined
  /** ISO, exclusive. */
  readonly to?: string | undefined
  /** Only events before this global position (keyset pagination, newest first). */
  readonly before?: number | undefined
}

export interface ProblemRow {
  readonly global_position: string
  readonly type: "NormalizationFailed" | "WebhookRejected"
  readonly data: Record<string, unknown>
  readonly encoding: "utf8" | "base64" | null
  readonly topic: string | null
  readonly recorded_at: Date
}

/**
 * Webhooks that became no order: those whose last normalization failed (a later success or a re-run
 * with another verdict takes them off) and those refused at ingest. Newest first, through the
 * events_webhook_problems partial index (sql/0001_event_store.sql), whose predicate the query repeats
 * literally. The data comes without the body and headers.
 */
export const webhookProblems = (sql: Queryable, f: ProblemFilters, limit: number) =>
  sql<Array<ProblemRow>>`
    select p.global_position::text, p.type,
           -- the rejected body stays in the log; the listing needs none of it
           p.data - 'body' - 'headers' as data, p.data->'body'->>'encoding' as encoding,
           coalesce(p.data->>'topic', (
             select r.data->>'topic' from events r
             where r.stream_id = p.stream_id and r.stream_version = 1 and r.type = 'WebhookReceived'
           )) as topic,
           p.recorded_at
    from events p
    where p.type in ('NormalizationFailed', 'WebhookRejected')
      and ((${f.normalizationFailed}::boolean and p.type = 'NormalizationFailed') or (${f.rejected}::boolean and p.type = 'WebhookRejected'))
      ${f.source === undefined ? sql`` : sql`and p.data->>'sourceId' = ${f.source}`}
      ${f.from === undefined ? sql`` : sql`and p.recorded_at >= ${f.from}::timestamptz`}
      ${f.to === undefined ? sql`` : sql`and p.recorded_at < ${f.to}::timestamptz`}
      ${f.before === undefined ? sql`` : sql`and p.global_position < ${f.before}`}
      and not exists (
        select 1 from events n
        where n.stream_id = p.stream_id and n.stream_version > p.stream_version
          and n.type in ('WebhookNormalized', 'NormalizationFailed')
      )
    order by p.global_position desc
    limit ${limit}`
