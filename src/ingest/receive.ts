// One webhook request, step by step: its source, room for its body, the body, a ping, the content
// type, authentication (authenticate.ts), UTF-8 and JSON, the scheme's description, the commit
// (delivery.ts). Every failure is an answer: what the sender got wrong a 4xx with nothing stored (a
// signed body that is not acceptable is recorded as WebhookRejected, reject.ts); anything else (the
// database down) a 503, logged rate-limited, so the platform retries.
import { isUtf8 } from "node:buffer"
import type { IncomingMessage } from "node:http"
import { Cause, Effect } from "effect"
import type { DbError, Sql } from "../db/Db.js"
import type { Source } from "../events/configSchema.js"
import { parseJson } from "../lib/json.js"
import type { Authenticate } from "./authenticate.js"
import { rawBody, readBody } from "./body.js"
import { type BodyBudget, reserveBody } from "./bodyBudget.js"
import { clientAddress, type ProxyTrust } from "./clientAddress.js"
import { commitDelivery, deliveryOf } from "./delivery.js"
import type { Delivery, GroupCommitter } from "./GroupCommit.js"
import { type IngestOutcome, refused } from "./outcome.js"
import type { Reject } from "./reject.js"
import { type IncomingWebhook, schemes } from "./sources/index.js"

export interface IngestRequest {
  readonly sourceId: string
  readonly message: IncomingMessage
  readonly remoteAddress: string | undefined
}

export interface ReceiveDeps {
  readonly sql: Sql
  readonly committer: GroupCommitter
  readonly budget: BodyBudget
  readonly trust: ProxyTrust
  readonly authenticate: Authenticate
  readonly reject: Reject
  /** The rate-limited error log for webhooks that could not be stored: (message, key). */
  readonly unstored: (message: string, key: string) => void
}

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;.*)?$/i

const flatHeaders = (message: IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(message.headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v
  return out
}

/** What the request comes to before its commit: an answer already, or the delivery to commit. */
type Prepared =
  | { readonly _tag: "Answer"; readonly outcome: IngestOutcome }
  | { readonly _tag: "Commit"; readonly delivery: Delivery; readonly keyed: boolean }

const answer = (outcome: IngestOutcome): Prepared => ({ _tag: "Answer", outcome })

export const makeReceive = ({ sql, committer, budget, trust, authenticate, reject, unstored }: ReceiveDeps) => {
  /**
   * Everything before the commit: the body, its checks, its parse, the delivery. Its own generator, so
   * that what only the checks need (the body's bytes, the parsed JSON: several times the body's size
   * for an order of thousands of line items) is garbage once it returns, rather than held by the
   * request while it waits for its group commit: only the delivery (the body's text) goes on.
   */
  const prepare = (request: IngestRequest, source: Source): Effect.Effect<Prepared, DbError> =>
    Effect.gen(function* () {
      const scheme = schemes[source.kind]
      const headers = flatHeaders(request.message)
      const read = yield* Effect.promise(() => readBody(request.message))
      if (read._tag === "TooLarge") return answer(refused(413, "payload_too_large", "the body exceeds 1 MiB"))
      if (read._tag === "Aborted")
        return answer(refused(400, "aborted", "the request body was not received completely"))
      const req: IncomingWebhook = {
        body: read.bytes,
        headers,
        contentType: headers["content-type"],
        now: new Date()
      }
      if (scheme.isPing?.(req)) return answer({ _tag: "Ping" })
      if (!JSON_TYPE.test(req.contentType ?? ""))
        return answer(refused(415, "unsupported_media_type", "webhooks must be sent as application/json"))
      const authFailure = yield* authenticate(source, req)
      if (authFailure !== undefined) return answer(authFailure)
      const remoteAddress = clientAddress(headers["x-forwarded-for"], request.remoteAddress, trust)
      // JSON is UTF-8 (RFC 8259): decoding anything else would silently swap bytes for U+FFFD and
      // normalize a payload that is not what the platform signed. Refused before normalization;
      // the exact bytes are kept (base64) in the WebhookRejected record.
      if (!isUtf8(read.bytes))
        return answer(
          yield* reject(source, req, remoteAddress, "the body is not valid UTF-8", "not valid UTF-8", "not_utf8")
        )
      // The event's text of the body is also what is parsed: one copy of it, not two.
      const body = rawBody(read.bytes)
      const parsed = parseJson(body.encoding === "utf8" ? body.text : read.bytes.toString("utf8"))
      if (!parsed.ok)
        return answer(yield* reject(source, req, remoteAddress, parsed.error, "not parseable JSON", "invalid_json"))
      const description = scheme.describe(req, parsed.value)
      if (!description.ok)
        return answer(
          yield* reject(
            source,
            req,
            remoteAddress,
            description.error,
            `not acceptable: ${description.error}`,
            "invalid_payload"
          )
        )
      // A sender-chosen key must also name the same body (idempotency.ts); platform ids need no check.
      const keyed = source.kind === "generic" && description.dedupKey !== undefined
      return { _tag: "Commit", delivery: deliveryOf(source, req, description, remoteAddress, body), keyed } as const
    })

  return (request: IngestRequest, source: Source | undefined): Effect.Effect<IngestOutcome> =>
    Effect.gen(function* () {
      if (source === undefined || !source.enabled) {
        request.message.resume()
        return refused(404, "unknown_source", `no enabled source with id "${request.sourceId}"`)
      }
      if (!(yield* reserveBody(budget, request.message))) {
        request.message.resume()
        return refused(503, "busy", "too many webhook bytes are being stored right now; please retry")
      }
      const prepared = yield* prepare(request, source)
      if (prepared._tag === "Answer") return prepared.outcome
      const { delivery } = prepared
      const outcome = yield* commitDelivery(sql, committer, delivery, prepared.keyed)
      if (outcome._tag === "KeyReused")
        return refused(
          422,
          "idempotency_key_reused",
          "this Idempotency-Key was already used with a different body; send a new key for a different request"
        )
      return {
        _tag: "Accepted",
        webhookId: delivery.received.webhookId,
        duplicate: outcome._tag === "Duplicate"
      } as const
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
}
