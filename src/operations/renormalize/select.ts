// Webhooks to re-normalize, straight from the log (no projection lag): each WebhookReceived with its
// last normalization record (WebhookNormalized or NormalizationFailed, found through the stream's
// unique (stream_id, stream_version) index). "failed" keeps those whose last record is a failure.
// A time range uses the recorded_at index; a selection by source alone scans the webhooks' events.
import type { Queryable } from "../../db/Db.js"
import { webhookStream } from "../../events/streams.js"
import type { RenormalizeState } from "../request.js"

export interface WebhookSelection {
  readonly webhookIds?: ReadonlyArray<string> | undefined
  readonly sourceId?: string | undefined
  readonly from?: Date | undefined
  readonly to?: Date | undefined
  readonly state: RenormalizeState
}

export interface SelectedWebhook {
  readonly webhookId: string
  readonly sourceId: string
  readonly topic: string | undefined
  /** As the ingest recorded it (ISO); the range filter uses the event's recorded_at, the same moment. */
  readonly receivedAt: string
}

export const selectWebhooks = async (
  sql: Queryable,
  selection: WebhookSelection,
  limit: number
): Promise<{ readonly webhooks: ReadonlyArray<SelectedWebhook>; readonly truncated: boolean }> => {
  const streams = selection.webhookIds === undefined ? null : selection.webhookIds.map(webhookStream)
  const rows = await sql<Array<{ webhook_id: string; source_id: string; topic: string | null; received_at: string }>>`
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
      and (${selection.state === "all"}::boolean or last.type = 'NormalizationFailed')
    order by r.global_position
    limit ${limit + 1}`
  return {
    webhooks: rows.slice(0, limit).map((r) => ({
      webhookId: r.webhook_id,
      sourceId: r.source_id,
      topic: r.topic ?? undefined,
      receivedAt: r.received_at
    })),
    truncated: rows.length > limit
  }
}
