// A webhook's delivery as it is committed: its WebhookReceived on the stream its id names, with the
// job item that normalizes it, in one transaction: a group-commit batch (GroupCommit.ts) or, for a
// sender-chosen Idempotency-Key, one of its own (idempotency.ts). A redelivery lands on the same
// stream and is recorded as a duplicate, with nothing enqueued.
import { createHash, randomUUID } from "node:crypto"
import { Effect } from "effect"
import { ConnectionLost, type DbError, type Sql, toDbError } from "../db/Db.js"
import type { Source } from "../events/configSchema.js"
import { webhookStream } from "../events/streams.js"
import type { RawBody, WebhookReceived } from "../events/webhook.js"
import { receivedNormalizeJob } from "../jobs/normalizeJobs.js"
import type { Delivery, GroupCommitter } from "./GroupCommit.js"
import { commitKeyedDelivery, type KeyedOutcome } from "./idempotency.js"
import { type Description, type IncomingWebhook, keptHeaders, schemes } from "./sources/index.js"

export { NORMALIZE_BATCH_TASK, NORMALIZE_TASK } from "../jobs/normalizeJobs.js"

/** How long a webhook waits for its commit before it is answered 503 (the HTTP server gives up at 10 s). */
const COMMIT_TIMEOUT = "8 seconds"

/** A webhook's id is derived from its source and dedup key, so every redelivery lands on one stream. */
export const webhookIdFor = (sourceId: string, dedupKey: string) => {
  const bytes = createHash("sha256").update(`${sourceId}\u0000${dedupKey}`).digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x80 // UUID version 8 (custom, name-based)
  bytes[8] = (bytes[8]! & 0x3f) | 0x80 // RFC 4122 variant
  const hex = bytes.toString("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** A verified, parsed and described webhook as the delivery to commit (a fresh id when it has no dedup key). */
export const deliveryOf = (
  source: Source,
  req: IncomingWebhook,
  description: Extract<Description, { ok: true }>,
  remoteAddress: string | undefined,
  body: RawBody
): Delivery => {
  const dedupKey = description.dedupKey ?? randomUUID()
  const webhookId = webhookIdFor(source.id, dedupKey)
  const received: WebhookReceived = {
    _tag: "WebhookReceived",
    webhookId,
    sourceId: source.id,
    kind: source.kind,
    ...(description.topic === undefined ? {} : { topic: description.topic }),
    dedupKey,
    headers: keptHeaders(schemes[source.kind], req.headers),
    receivedAt: req.now.toISOString(),
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
    body,
    ...(description.testMode === undefined ? {} : { testMode: description.testMode })
  }
  return {
    streamId: webhookStream(webhookId),
    received,
    // An item of its shard's normalize batch (jobs/normalizeJobs.ts); `bytes` weighs it in the
    // worker's memory budget (jobs/jobBudget.ts).
    job: receivedNormalizeJob({ webhookId, bytes: body.bytes }),
    metadata: { actor: `webhook:${source.id}`, correlationId: webhookId }
  }
}

/**
 * Commits the delivery: `keyed` (a sender-chosen key, which must also name the same body) on its own,
 * else in the next group-commit batch. A database that stopped answering (a partition, a stalled
 * server) would hold the request until the server's 10 s request timeout cuts the connection without
 * an answer: this fails first, so the webhook is answered 503. If the commit lands after all, the
 * platform's retry is recorded as a duplicate.
 */
export const commitDelivery = (
  sql: Sql,
  committer: GroupCommitter,
  delivery: Delivery,
  keyed: boolean
): Effect.Effect<KeyedOutcome, DbError> =>
  Effect.tryPromise({
    try: () => (keyed ? commitKeyedDelivery(sql, delivery) : committer.submit(delivery)),
    catch: (cause) => toDbError("Ingest.commit", cause)
  }).pipe(
    Effect.timeoutFail({
      duration: COMMIT_TIMEOUT,
      onTimeout: () =>
        new ConnectionLost({
          operation: "Ingest.commit",
          code: undefined,
          cause: new Error("no answer within 8 s")
        })
    })
  )
