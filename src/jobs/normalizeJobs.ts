// The normalization jobs as ingest enqueues them and normalization re-enqueues them: the contract
// between the two stages (task names, payloads, keys), kept here so that neither imports the other.
//
// A webhook is an item of a batch job, `normalize-batch`. Ingest enqueues it without a key, so the
// webhooks of one group commit are one job (receivedNormalizeJob, sql/0015). Items a batch run leaves
// for later go under the key (and queue) `normalize-batch:<shard>`, where graphile-worker concatenates
// them while the job waits (sql/0011_batch_jobs.sql). The shard comes from the webhook id, the only key ingest knows:
// the order key is the parser's to find (it may need the body's fields, a source's `ordersOf`, or the
// billing-alias table), and ingest does not parse bodies beyond what it verifies. Webhooks of one order
// that meet in a batch are handled there (normalize/batch.ts); in different shards they meet on the
// order stream's expected version, as single jobs always did.
//
// The single job `normalize-webhook` (key `normalize:<webhookId>`) stays: jobs queued before the
// upgrade, operator re-normalizations and billing-alias re-routing use it.

export const NORMALIZE_TASK = "normalize-webhook"
export const NORMALIZE_BATCH_TASK = "normalize-batch"

/** Normalization batches that can run at once (the webhook id picks one). */
export const NORMALIZE_SHARDS = 4

/** The most webhooks one batch run takes (NORMALIZE_BATCH_ITEMS); the rest join the next batch. */
export const NORMALIZE_BATCH_ITEMS = 64

export interface NormalizeJobPayload {
  readonly webhookId: string
  /** The webhook body's size: its weight in the worker's memory budget (jobBudget.ts). */
  readonly bytes?: number | undefined
}

/** A small stable hash of the webhook id: its batch shard. */
export const normalizeShardOf = (webhookId: string, shards = NORMALIZE_SHARDS): number => {
  let h = 0
  for (let i = 0; i < webhookId.length; i++) h = (Math.imul(h, 31) + webhookId.charCodeAt(i)) | 0
  return (h >>> 0) % Math.max(1, shards)
}

export const normalizeBatchKey = (shard: number) => `${NORMALIZE_BATCH_TASK}:${shard}`

/**
 * The webhook as an item of its shard's batch job. The key is also the job's queue: one batch of a
 * shard runs at a time and what arrives meanwhile waits in the next one (without the queue a free
 * worker would take each new item alone at once, and batches would never form).
 */
export const normalizeBatchJob = (payload: NormalizeJobPayload) => {
  const key = normalizeBatchKey(normalizeShardOf(payload.webhookId))
  return { task: NORMALIZE_BATCH_TASK, payload: [payload], jobKey: key, queueName: key, maxAttempts: 10 }
}

/**
 * A received webhook's normalization, as ingest enqueues it: an item of a batch job without a key.
 * s2s_enqueue merges the keyless items of one call (sql/0015_group_commit_batches.sql), so the
 * webhooks of one group commit are one batch job, and no job row is shared between commits (a keyed
 * batch here made every group commit wait on the others' locks). Nothing merges across commits: a
 * webhook that arrives alone is a batch of one and runs at once; busy ingest makes big group commits,
 * so big batches.
 */
export const receivedNormalizeJob = (payload: NormalizeJobPayload) => ({
  task: NORMALIZE_BATCH_TASK,
  payload: [payload],
  maxAttempts: 10
})

/** The single normalize job of one webhook (one pending per webhook: the key collapses duplicates). */
export const normalizeJob = (payload: NormalizeJobPayload, runAt?: Date) => ({
  task: NORMALIZE_TASK,
  payload,
  jobKey: `normalize:${payload.webhookId}`,
  runAt,
  maxAttempts: 10
})
