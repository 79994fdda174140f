// Group commit: concurrent webhook deliveries share one transaction and one add_jobs call, and each
// caller is answered after that commit. A batch is flushed as soon as the previous commit is done
// (or at once when idle), so a lone request waits for nothing while a burst fills batches up to
// `maxBatch`. A batch that fails is retried one request at a time, so one bad request cannot fail
// the innocent ones it was batched with.
import type { Queryable, Sql } from "../db/Db.js"
import { toStoreAppend } from "../events/EventStore.js"
import type { EventMetadata } from "../events/Events.js"
import { appendStreams, enqueueJobs, type Job } from "../events/store.js"
import type { WebhookReceived } from "../events/webhook.js"

export interface Delivery {
  readonly streamId: string
  readonly received: WebhookReceived
  /** Enqueued only when this delivery is the first of its webhook. */
  readonly job: Job
  readonly metadata: EventMetadata
}

export type DeliveryOutcome = { readonly _tag: "Received" } | { readonly _tag: "Duplicate" }

interface Pending {
  readonly delivery: Delivery
  readonly resolve: (outcome: DeliveryOutcome) => void
  readonly reject: (error: unknown) => void
}

const duplicateOf = (r: WebhookReceived) => {
  const { _tag, testMode: _testMode, ...fields } = r
  return { ...fields, _tag: "WebhookDuplicateReceived" as const }
}

/** Commits deliveries in the caller's transaction; returns one outcome per delivery, in order. */
export const commitDeliveries = async (tx: Queryable, deliveries: ReadonlyArray<Delivery>) => {
  // The first delivery of each stream in this batch tries to create it; later ones in the same
  // batch, and those whose stream already exists, are recorded as duplicates.
  const firstOf = new Map<string, number>()
  deliveries.forEach((d, i) => {
    if (!firstOf.has(d.streamId)) firstOf.set(d.streamId, i)
  })
  const firsts = [...firstOf.values()]
  const created = await appendStreams(
    tx,
    firsts.map((i) =>
      toStoreAppend(
        { streamId: deliveries[i]!.streamId, expectedVersion: "no_stream", events: [deliveries[i]!.received] },
        deliveries[i]!.metadata
      )
    )
  )
  const outcomes: Array<DeliveryOutcome> = deliveries.map(() => ({ _tag: "Duplicate" }))
  firsts.forEach((i, k) => {
    if (created[k]!._tag === "Appended") outcomes[i] = { _tag: "Received" }
  })
  const duplicates = deliveries.flatMap((d, i) => (outcomes[i]!._tag === "Duplicate" ? [d] : []))
  if (duplicates.length > 0) {
    await appendStreams(
      tx,
      duplicates.map((d) =>
        toStoreAppend({ streamId: d.streamId, expectedVersion: "any", events: [duplicateOf(d.received)] }, d.metadata)
      )
    )
  }
  await enqueueJobs(
    tx,
    deliveries.flatMap((d, i) => (outcomes[i]!._tag === "Received" ? [d.job] : []))
  )
  return outcomes
}

export interface GroupCommitter {
  readonly submit: (delivery: Delivery) => Promise<DeliveryOutcome>
  /** Waits for everything submitted so far. */
  readonly drain: () => Promise<void>
}

export const makeGroupCommitter = (
  sql: Sql,
  options: { readonly maxBatch: number; readonly maxInFlight: number; readonly onBatch?: (size: number) => void }
): GroupCommitter => {
  const queue: Array<Pending> = []
  let inFlight = 0
  let scheduled = false
  const idle: Array<() => void> = []

  const commitBatch = async (batch: ReadonlyArray<Pending>) => {
    try {
      const outcomes = await sql.begin((tx) =>
        commitDeliveries(
          tx,
          batch.map((p) => p.delivery)
        )
      )
      batch.forEach((p, i) => p.resolve(outcomes[i]!))
      options.onBatch?.(batch.length)
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error)
        return
      }
      // Fall back to one transaction per request: innocent requests still commit.
      await Promise.all(batch.map((p) => commitBatch([p])))
    }
  }

  const pump = () => {
    scheduled = false
    while (queue.length > 0 && inFlight < options.maxInFlight) {
      const batch = queue.splice(0, options.maxBatch)
      inFlight++
      void commitBatch(batch).finally(() => {
        inFlight--
        if (queue.length > 0) schedule()
        else if (inFlight === 0) for (const wake of idle.splice(0)) wake()
      })
    }
  }

  const schedule = () => {
    if (scheduled) return
    scheduled = true
    // Requests that arrive in the same tick join the batch.
    setImmediate(pump)
  }

  return {
    submit: (delivery) =>
      new Promise<DeliveryOutcome>((resolve, reject) => {
        queue.push({ delivery, resolve, reject })
        schedule()
      }),
    drain: () =>
      queue.length === 0 && inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve))
  }
}
