// Webhooks to re-normalize, straight from the log (no projection lag): each WebhookReceived with its
// last normalization record (WebhookNormalized or NormalizationFailed, found through the stream's
// unique (stream_id, stream_version) index). "failed" keeps those whose last record is a failure.
// A time range uses the recorded_at index; a selection by source alone scans the webhooks' events.
import type { Queryable } from "../../db/Db.js"
import { selectReceived } from "../../events/queries/webhooks.js"
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
  const rows = await selectReceived(
    sql,
    {
      webhookIds: selection.webhookIds,
      sourceId: selection.sourceId,
      from: selection.from,
      to: selection.to,
      failedOnly: selection.state === "failed"
    },
    limit + 1
  )
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
