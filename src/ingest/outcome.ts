// How an ingest outcome is answered, in one place for both paths that serve POST /webhooks/{id}.
import type { IngestOutcome } from "./Ingest.js"

export const outcomeResponse = (outcome: IngestOutcome): { readonly status: number; readonly body: unknown } => {
  switch (outcome._tag) {
    case "Accepted":
      return { status: 202, body: { webhookId: outcome.webhookId, duplicate: outcome.duplicate } }
    case "Ping":
      return { status: 200, body: { status: "ok" } }
    case "Refused":
      return { status: outcome.status, body: { error: outcome.error, message: outcome.message } }
  }
}
