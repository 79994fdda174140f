// How an ingest outcome is answered, in one place for both paths that serve POST /webhooks/{id}.
import type { IngestOutcome } from "./Ingest.js"

/**
 * Seconds a platform is asked to wait after a 503 (the database unavailable, or a source's secret
 * missing): long enough for a database restart or failover, short enough that a platform honouring
 * it loses little time. Platforms that ignore it retry on their own schedule anyway.
 */
export const RETRY_AFTER_SECONDS = 5

export interface WebhookResponse {
  readonly status: number
  readonly body: unknown
  readonly headers: Readonly<Record<string, string>>
}

export const outcomeResponse = (outcome: IngestOutcome): WebhookResponse => {
  switch (outcome._tag) {
    case "Accepted":
      return { status: 202, body: { webhookId: outcome.webhookId, duplicate: outcome.duplicate }, headers: {} }
    case "Ping":
      return { status: 200, body: { status: "ok" }, headers: {} }
    case "Refused":
      return {
        status: outcome.status,
        body: { error: outcome.error, message: outcome.message },
        headers: outcome.status === 503 ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {}
      }
  }
}
