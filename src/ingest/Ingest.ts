// Ingestion: POST /webhooks/{sourceId}. Consumes the raw request; emits WebhookReceived (first
// delivery, with its normalization job, in one group-committed transaction), WebhookDuplicateReceived
// (a redelivery: recorded, nothing enqueued) or WebhookRejected (signed but not UTF-8 or unparseable,
// alerted through the Alerting port and counted in s2s_webhooks_rejected_total). Answers only
// after the commit. Fails closed: no valid signature or token, nothing stored (the refusal logged,
// rate-limited); a generic source's Idempotency-Key reused for a different body, 422 and nothing
// stored; the database down, 503 so the platform retries.
import { isUtf8 } from "node:buffer"
import { createHash, randomUUID } from "node:crypto"
import type { IncomingMessage } from "node:http"
import { Cause, Config, Context, Effect, Layer, Redacted, Runtime } from "effect"
import { ConfigState } from "../config/ConfigState.js"
import { Secrets } from "../config/Secrets.js"
import type { Source } from "../config/schema.js"
import { Db, DbError } from "../db/Db.js"
import { appendInTransaction } from "../events/EventStore.js"
import type { AppEvent } from "../events/Events.js"
import { webhookStream } from "../events/streams.js"
import { rejectionReasonOf, type WebhookReceived, type WebhookRejectionReason } from "../events/webhook.js"
import { Alerting } from "../lib/alerting.js"
import { parseJson } from "../lib/json.js"
import { webhooksRejectedTotal, webhooksTotal } from "../lib/metrics.js"
import { makeRateLimitedLog } from "../lib/rateLimitedLog.js"
import { Tokens } from "../tokens/Tokens.js"
import { MAX_BODY_BYTES, rawBody, readBody } from "./body.js"
import { makeByteBudget } from "./budget.js"
import { clientAddress } from "./clientAddress.js"
import { makeGroupCommitter } from "./GroupCommit.js"
import { commitKeyedDelivery } from "./idempotency.js"
import { type IncomingWebhook, keptHeaders, schemes, secretRefsOf, toleranceOf } from "./sources/index.js"

export const NORMALIZE_TASK = "normalize-webhook"

/** How long a webhook waits for room in the body budget before it is answered 503 (platforms give up at 5 s). */
const BUDGET_WAIT_MS = 4_000
/** How long a webhook waits for its commit before it is answered 503 (the HTTP server gives up at 10 s). */
const COMMIT_TIMEOUT = "8 seconds"

export type IngestOutcome =
  | { readonly _tag: "Accepted"; readonly webhookId: string; readonly duplicate: boolean }
  | { readonly _tag: "Ping" }
  | { readonly _tag: "Refused"; readonly status: number; readonly error: string; readonly message: string }

export interface IngestRequest {
  readonly sourceId: string
  readonly message: IncomingMessage
  readonly remoteAddress: string | undefined
}

export interface IngestService {
  readonly receive: (request: IngestRequest) => Effect.Effect<IngestOutcome>
}

export class Ingest extends Context.Tag("app/Ingest")<Ingest, IngestService>() {}

/** A webhook's id is derived from its source and dedup key, so every redelivery lands on one stream. */
export const webhookIdFor = (sourceId: string, dedupKey: string) => {
  const bytes = createHash("sha256").update(`${sourceId}\u0000${dedupKey}`).digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x80 // UUID version 8 (custom, name-based)
  bytes[8] = (bytes[8]! & 0x3f) | 0x80 // RFC 4122 variant
  const hex = bytes.toString("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const refused = (status: number, error: string, message: string): IngestOutcome => ({
  _tag: "Refused",
  status,
  error,
  message
})

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;.*)?$/i

const flatHeaders = (message: IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(message.headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v
  return out
}

const bearer = (headers: Readonly<Record<string, string>>) =>
  /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "")?.[1]

export const IngestLive = Layer.scoped(
  Ingest,
  Effect.gen(function* () {
    const db = yield* Db
    const config = yield* ConfigState
    const secrets = yield* Secrets
    const tokens = yield* Tokens
    const alerting = yield* Alerting
    const options = yield* Config.all({
      maxBatch: Config.integer("INGEST_MAX_BATCH").pipe(Config.withDefault(200)),
      maxInFlight: Config.integer("INGEST_MAX_IN_FLIGHT").pipe(Config.withDefault(2)),
      maxBatchBytes: Config.integer("INGEST_MAX_BATCH_BYTES").pipe(Config.withDefault(1024 * 1024)),
      maxBytesInFlight: Config.integer("INGEST_MAX_BYTES_IN_FLIGHT").pipe(Config.withDefault(4 * 1024 * 1024)),
      trustProxy: Config.boolean("S2S_TRUST_PROXY").pipe(Config.withDefault(false)),
      hops: Config.integer("S2S_TRUST_PROXY_HOPS").pipe(Config.withDefault(1))
    })
    const committer = makeGroupCommitter(db.sql, options)
    const budget = makeByteBudget(Math.max(options.maxBytesInFlight, MAX_BODY_BYTES))
    yield* Effect.addFinalizer(() => Effect.promise(() => committer.drain()))
    // Run with this layer's runtime, so the warning goes through the configured logger and level.
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const warn = makeRateLimitedLog(10_000, (message) => runFork(Effect.logWarning(message)))
    // During a database outage every webhook fails the same way: one line per source and 10 s.
    const unstored = makeRateLimitedLog(10_000, (message) => runFork(Effect.logError(message)))

    const authenticate = (source: Source, req: IncomingWebhook) =>
      Effect.gen(function* () {
        const scheme = schemes[source.kind]
        if (scheme.auth === "bearer-token") {
          const token = bearer(req.headers)
          const principal = token === undefined ? undefined : yield* tokens.verify(token).pipe(Effect.orDie)
          if (principal?.scope === "ingest" && principal.sourceId === source.id) return undefined
          // The reason, never the token: a refused token may still be someone's valid credential.
          const reason =
            token === undefined ? "missing_token" : principal === undefined ? "invalid_token" : "token_not_for_source"
          warn(`source ${source.id}: webhook refused (${reason})`, source.id)
          return refused(
            401,
            "unauthorized",
            "a valid ingest token for this source is required (Authorization: Bearer ...)"
          )
        }
        const resolved = yield* Effect.forEach(secretRefsOf(source), (ref) =>
          secrets.get(ref, `source ${source.id}`)
        ).pipe(Effect.either)
        if (resolved._tag === "Left") {
          yield* Effect.logError(resolved.left.message)
          return refused(503, "source_misconfigured", `source ${source.id} cannot verify signatures right now`)
        }
        const result = scheme.verify(req, resolved.right.map(Redacted.value), toleranceOf(scheme, source))
        if (result.ok) return undefined
        warn(`source ${source.id}: webhook refused (${result.reason})`, source.id)
        return result.reason === "stale_timestamp"
          ? refused(401, "stale_signature", "the signature timestamp is outside the allowed tolerance")
          : refused(401, "invalid_signature", "the webhook signature is missing or does not match")
      })

    // Recorded with its alert (grouped per source and reason) and the alert's job in one statement.
    const reject = (
      source: Source,
      req: IncomingWebhook,
      remoteAddress: string | undefined,
      reason: string,
      /** For the log line: what kind of problem, never a piece of the body (JSON.parse quotes it). */
      problem: string,
      category?: WebhookRejectionReason
    ) =>
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
        yield* db.run("Ingest.reject", (sql) =>
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

    const receive = (request: IngestRequest): Effect.Effect<IngestOutcome> =>
      Effect.flatMap(config.current, (snapshot) => {
        const source = snapshot.sources.get(request.sourceId)
        return receiveFrom(request, source).pipe(
          Effect.tap((outcome) =>
            Effect.sync(() =>
              webhooksTotal.inc({
                // The id when the source is configured (enabled or not), "unknown" for any other path.
                source: source?.id ?? "unknown",
                outcome:
                  outcome._tag === "Refused"
                    ? `refused_${outcome.status}`
                    : outcome._tag === "Accepted"
                      ? outcome.duplicate
                        ? "duplicate"
                        : "accepted"
                      : "ping"
              })
            )
          )
        )
      })

    const receiveFrom = (request: IngestRequest, source: Source | undefined): Effect.Effect<IngestOutcome> =>
      Effect.gen(function* () {
        if (source === undefined || !source.enabled) {
          request.message.resume()
          return refused(404, "unknown_source", `no enabled source with id "${request.sourceId}"`)
        }
        const declared = Number(request.message.headers["content-length"])
        // Room for the body before it is read (budget.ts); a body declared over the limit is refused
        // unread by readBody, and one of unknown length may be anything up to the limit.
        const reserve = Number.isFinite(declared) && declared >= 0 ? declared : MAX_BODY_BYTES
        if (reserve <= MAX_BODY_BYTES) {
          const room = yield* Effect.promise(() => budget.acquire(reserve, BUDGET_WAIT_MS))
          if (!room) {
            request.message.resume()
            return refused(503, "busy", "too many webhook bytes are being stored right now; please retry")
          }
          yield* Effect.addFinalizer(() => Effect.sync(() => budget.release(reserve)))
        }
        const scheme = schemes[source.kind]
        const headers = flatHeaders(request.message)
        const read = yield* Effect.promise(() => readBody(request.message))
        if (read._tag === "TooLarge") return refused(413, "payload_too_large", "the body exceeds 1 MiB")
        if (read._tag === "Aborted") return refused(400, "aborted", "the request body was not received completely")
        const req: IncomingWebhook = {
          body: read.bytes,
          headers,
          contentType: headers["content-type"],
          now: new Date()
        }
        if (scheme.isPing?.(req)) return { _tag: "Ping" } as const
        if (!JSON_TYPE.test(req.contentType ?? ""))
          return refused(415, "unsupported_media_type", "webhooks must be sent as application/json")
        const authFailure = yield* authenticate(source, req)
        if (authFailure !== undefined) return authFailure
        const remoteAddress = clientAddress(headers["x-forwarded-for"], request.remoteAddress, options)
        // JSON is UTF-8 (RFC 8259): decoding anything else would silently swap bytes for U+FFFD and
        // normalize a payload that is not what the platform signed. Refused before normalization;
        // the exact bytes are kept (base64) in the WebhookRejected record.
        if (!isUtf8(read.bytes))
          return yield* reject(source, req, remoteAddress, "the body is not valid UTF-8", "not valid UTF-8", "not_utf8")
        // The event's text of the body is also what is parsed: one copy of it, not two.
        const body = rawBody(read.bytes)
        const parsed = parseJson(body.encoding === "utf8" ? body.text : read.bytes.toString("utf8"))
        if (!parsed.ok)
          return yield* reject(source, req, remoteAddress, parsed.error, "not parseable JSON", "invalid_json")
        const description = scheme.describe(req, parsed.value)
        if (!description.ok)
          return yield* reject(
            source,
            req,
            remoteAddress,
            description.error,
            `not acceptable: ${description.error}`,
            "invalid_payload"
          )
        const dedupKey = description.dedupKey ?? randomUUID()
        const webhookId = webhookIdFor(source.id, dedupKey)
        const received: WebhookReceived = {
          _tag: "WebhookReceived",
          webhookId,
          sourceId: source.id,
          kind: source.kind,
          ...(description.topic === undefined ? {} : { topic: description.topic }),
          dedupKey,
          headers: keptHeaders(scheme, headers),
          receivedAt: req.now.toISOString(),
          ...(remoteAddress === undefined ? {} : { remoteAddress }),
          body,
          ...(description.testMode === undefined ? {} : { testMode: description.testMode })
        }
        const delivery = {
          streamId: webhookStream(webhookId),
          received,
          job: { task: NORMALIZE_TASK, payload: { webhookId }, jobKey: `normalize:${webhookId}`, maxAttempts: 10 },
          metadata: { actor: `webhook:${source.id}`, correlationId: webhookId }
        }
        // A sender-chosen key must also name the same body (idempotency.ts); platform ids need no check.
        const keyed = source.kind === "generic" && description.dedupKey !== undefined
        // A database that stopped answering (a partition, a stalled server) would hold the request
        // until the server's 10 s request timeout cuts the connection without an answer: answer 503
        // first. If the commit lands after all, the platform's retry is recorded as a duplicate.
        const outcome = yield* Effect.tryPromise({
          try: () => (keyed ? commitKeyedDelivery(db.sql, delivery) : committer.submit(delivery)),
          catch: (cause) => new DbError({ operation: "Ingest.commit", cause })
        }).pipe(
          Effect.timeoutFail({
            duration: COMMIT_TIMEOUT,
            onTimeout: () => new DbError({ operation: "Ingest.commit", cause: new Error("no answer within 8 s") })
          })
        )
        if (outcome._tag === "KeyReused")
          return refused(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was already used with a different body; send a new key for a different request"
          )
        return { _tag: "Accepted", webhookId, duplicate: outcome._tag === "Duplicate" } as const
      }).pipe(
        Effect.catchAllCause((cause) =>
          Effect.sync(() => {
            const error = Cause.squash(cause)
            unstored(
              `source ${request.sourceId}: a webhook could not be stored (${error instanceof Error ? error.message : String(error)}); answered 503 so the platform retries`,
              request.sourceId
            )
            return refused(503, "unavailable", "the webhook could not be stored right now; please retry")
          })
        ),
        Effect.scoped
      )

    return Ingest.of({ receive })
  })
)
