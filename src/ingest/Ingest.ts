// Ingestion: POST /webhooks/{sourceId}. Consumes the raw request; emits WebhookReceived (first
// delivery, with its normalization job, in one group-committed transaction), WebhookDuplicateReceived
// (a redelivery: recorded, nothing enqueued) or WebhookRejected (signed but not UTF-8 or unparseable,
// alerted through the Alerting port and counted in s2s_webhooks_rejected_total). Answers only
// after the commit. Fails closed: no valid signature or token, nothing stored (the refusal logged,
// rate-limited); a generic source's Idempotency-Key reused for a different body, 422 and nothing
// stored; the database down, 503 so the platform retries.
//
// This file wires the steps (receive.ts) to their services and counts every outcome.
import { Context, Effect, Layer, Runtime } from "effect"
import { Alerting } from "../alerts/Alerting.js"
import { ConfigState } from "../config/ConfigState.js"
import { Secrets } from "../config/Secrets.js"
import { Db } from "../db/Db.js"
import { webhooksTotal } from "../lib/metrics.js"
import { makeRateLimitedLog } from "../lib/rateLimitedLog.js"
import { webhookActivity } from "../lib/webhookActivity.js"
import { Tokens } from "../tokens/Tokens.js"
import { makeAuthenticate } from "./authenticate.js"
import { makeBodyBudget } from "./bodyBudget.js"
import { makeGroupCommitter } from "./GroupCommit.js"
import { IngestOptions } from "./options.js"
import { type IngestOutcome, outcomeLabel } from "./outcome.js"
import { type IngestRequest, makeReceive } from "./receive.js"
import { makeReject } from "./reject.js"

export { NORMALIZE_BATCH_TASK, NORMALIZE_TASK, webhookIdFor } from "./delivery.js"
export type { IngestOutcome } from "./outcome.js"
export type { IngestRequest } from "./receive.js"

export interface IngestService {
  readonly receive: (request: IngestRequest) => Effect.Effect<IngestOutcome>
}

export class Ingest extends Context.Tag("app/Ingest")<Ingest, IngestService>() {}

export const IngestLive = Layer.scoped(
  Ingest,
  Effect.gen(function* () {
    const db = yield* Db
    const config = yield* ConfigState
    const secrets = yield* Secrets
    const tokens = yield* Tokens
    const alerting = yield* Alerting
    const options = yield* IngestOptions
    const committer = makeGroupCommitter(db.sql, options)
    yield* Effect.addFinalizer(() => Effect.promise(() => committer.drain()))
    // Run with this layer's runtime, so the warning goes through the configured logger and level.
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const warn = makeRateLimitedLog(10_000, (message) => runFork(Effect.logWarning(message)))
    // During a database outage every webhook fails the same way: one line per source and 10 s.
    const unstored = makeRateLimitedLog(10_000, (message) => runFork(Effect.logError(message)))

    const receiveFrom = makeReceive({
      sql: db.sql,
      committer,
      budget: makeBodyBudget(options.maxBytesInFlight, options.bodyWaitMs),
      trust: options,
      authenticate: makeAuthenticate({ tokens, secrets, warn }),
      reject: makeReject({ db, alerting, warn }),
      unstored
    })

    const receive = (request: IngestRequest): Effect.Effect<IngestOutcome> =>
      // Marked as it starts and as it is answered: the worker runs fewer jobs while webhooks arrive
      // (jobs/admission.ts).
      Effect.flatMap(Effect.zipRight(Effect.sync(webhookActivity.mark), config.current), (snapshot) => {
        const source = snapshot.sources.get(request.sourceId)
        return receiveFrom(request, source).pipe(
          Effect.tap((outcome) =>
            Effect.sync(() => {
              webhookActivity.mark()
              // The id when the source is configured (enabled or not), "unknown" for any other path.
              webhooksTotal.inc({ source: source?.id ?? "unknown", outcome: outcomeLabel(outcome) })
            })
          )
        )
      })

    return Ingest.of({ receive })
  })
)
