// A signed webhook whose body is not acceptable (not UTF-8, not JSON, not what its scheme expects):
// recorded as WebhookRejected with the exact bytes, with its alert (grouped per source and reason)
// and the alert's job in one statement, counted in s2s_webhooks_rejected_total, logged rate-limited
// and answered 400. Nothing is normalized.
import { randomUUID } from "node:crypto"
import { type Context, Effect } from "effect"
import type { Alerting } from "../alerts/Alerting.js"
import type { DbError, DbService } from "../db/Db.js"
import type { Source } from "../events/configSchema.js"
import { appendInTransaction } from "../events/EventStore.js"
import type { AppEvent } from "../events/Events.js"
import { webhookStream } from "../events/streams.js"
import { rejectionReasonOf, type WebhookRejectionReason } from "../events/webhook.js"
import { webhooksRejectedTotal } from "../lib/metrics.js"
import { rawBody } from "./body.js"
import { type IngestOutcome, refused } from "./outcome.js"
import { type IncomingWebhook, keptHeaders, schemes } from "./sources/index.js"

export interface RejectDeps {
  readonly db: DbService
  readonly alerting: Context.Tag.Service<Alerting>
  /** The rate-limited warning: (message, key). */
  readonly warn: (message: string, key: string) => void
}

export type Reject = (
  source: Source,
  req: IncomingWebhook,
  remoteAddress: string | undefined,
  reason: string,
  /** For the log line: what kind of problem, never a piece of the body (JSON.parse quotes it). */
  problem: string,
  category?: WebhookRejectionReason
) => Effect.Effect<IngestOutcome, DbError>

export const makeReject =
  ({ db, alerting, warn }: RejectDeps): Reject =>
  (source, req, remoteAddress, reason, problem, category) =>
    Effect.gen(function* () {
      const webhookId = randomUUID()
      const body = rawBody(Buffer.from(req.body))
      const event: AppEvent = {
        _tag: "WebhookRejected",
        webhookId,
        sourceId: source.id,
        kind: source.kind,
        dedupKey: webhookId,
        headers: keptHeaders(schemes[source.kind], req.headers),
        receivedAt: req.now.toISOString(),
        ...(remoteAddress === undefined ? {} : { remoteAddress }),
        body,
        reason,
        category: category ?? rejectionReasonOf({ reason, body })
      }
      const alerts = yield* alerting.raise({ events: [event], now: req.now })
      yield* db.query("Ingest.reject", (sql) =>
        appendInTransaction(
          sql,
          [{ streamId: webhookStream(webhookId), expectedVersion: "no_stream", events: [event] }, ...alerts.appends],
          { metadata: { actor: `webhook:${source.id}` }, jobs: alerts.jobs }
        )
      )
      webhooksRejectedTotal.inc({ source: source.id, reason: event.category ?? "invalid_json" })
      warn(
        `source ${source.id}: signed webhook rejected (${problem}), recorded as ${webhookId}`,
        `${source.id}:rejected`
      )
      return refused(400, "invalid_payload", `the body is not acceptable JSON: ${reason}`)
    })
