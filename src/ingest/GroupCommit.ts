// Group commit: concurrent webhook deliveries share one transaction and one add_jobs call, and each
// caller is answered after that commit. A batch is flushed as soon as the previous commit is done
// (or at once when idle), so a lone request waits for nothing while a burst fills batches up to
// `maxBatch` deliveries or `maxBatchBytes` of raw bodies, whichever comes first (a batch is one
// statement whose JSON holds every body: 200 bodies of 1 MiB would be a 200 MiB string). A batch that fails is retried one request at a time, so one bad request cannot fail
// the innocent ones it was batched with.
import type { Queryable, Sql } from "../db/Db.js"
import { currentVersion, type EventMetadata, encodeEvent } from "../events/Events.js"
import { appendDeliveries, type Job } from "../events/store.js"
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

/** A redelivery's event: the first delivery's fields, without what only the first one carries. */
export const duplicateOf = (r: WebhookReceived) => {
  const { _tag, testMode: _testMode, ...fields } = r
  return { ...fields, _tag: "WebhookDuplicateReceived" as const }
}
/** The received event's data keys a duplicate does not carry (see duplicateOf). */
const DUPLICATE_DROPS = ["testMode"] as const
const DUPLICATE_VERSION = currentVersion("WebhookDuplicateReceived")

/**
 * Records deliveries with one statement (the store's appendDeliveries): the first delivery
 * of a webhook creates its stream and gets its job; the others are duplicates. One outcome per
 * delivery, in the order given. Each raw body is sent once: the duplicate event, written only when
 * the stream already exists, is the received one under its own type minus DUPLICATE_DROPS, built by
 * the database (the same event as encodeEvent(duplicateOf(received)); GroupCommit.int.test.ts).
 */
export const commitDeliveries = async (sql: Queryable, deliveries: ReadonlyArray<Delivery>) => {
  const order = deliveries.map((_, i) => i)
  // Streams in id order (ties keep arrival order): concurrent batches lock them in the same order.
  order.sort((a, b) => {
    const x = deliveries[a]!.streamId
    const y = deliveries[b]!.streamId
    return x < y ? -1 : x > y ? 1 : a - b
  })
  const first = await appendDeliveries(
    sql,
    order.map((i) => {
      const d = deliveries[i]!
      const { type, schemaVersion, data } = encodeEvent(d.received)
      return {
        streamId: d.streamId,
        received: { type, schemaVersion, data, metadata: d.metadata },
        duplicate: { type: "WebhookDuplicateReceived", schemaVersion: DUPLICATE_VERSION, dropKeys: DUPLICATE_DROPS },
        job: d.job
      }
    })
  )
  const outcomes: Array<DeliveryOutcome> = new Array(deliveries.length)
  order.forEach((i, k) => {
    outcomes[i] = first[k] ? { _tag: "Received" } : { _tag: "Duplicate" }
  })
  return outcomes
}

export interface GroupCommitter {
  readonly submit: (delivery: Delivery) => Promise<DeliveryOutcome>
  /** Waits for everything submitted so far. */
  readonly drain: () => Promise<void>
}

export const makeGroupCommitter = (
  sql: Sql,
  options: {
    readonly maxBatch: number
    readonly maxInFlight: number
    readonly maxBatchBytes?: number
    readonly onBatch?: (size: number) => void
  }
): GroupCommitter => {
  const maxBatchBytes = options.maxBatchBytes ?? Number.POSITIVE_INFINITY
  /** The next batch: up to maxBatch deliveries and maxBatchBytes of bodies, at least one. */
  const nextBatch = () => {
    let n = 0
    let bytes = 0
    while (n < queue.length && n < options.maxBatch) {
      const size = queue[n]!.delivery.received.body.bytes
      if (n > 0 && bytes + size > maxBatchBytes) break
      bytes += size
      n++
    }
    return queue.splice(0, n)
  }
  const queue: Array<Pending> = []
  let inFlight = 0
  let scheduled = false
  const idle: Array<() => void> = []

  const commitBatch = async (batch: ReadonlyArray<Pending>) => {
    try {
      // One statement is one transaction: no BEGIN/COMMIT round trips around it.
      const outcomes = await commitDeliveries(
        sql,
        batch.map((p) => p.delivery)
      )
      batch.forEach((p, i) => p.resolve(outcomes[i]!))
      options.onBatch?.(batch.length)
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error)
        return
      }
      // Fall back to one statement per request: innocent requests still commit.
      await Promise.all(batch.map((p) => commitBatch([p])))
    }
  }

  const pump = () => {
    scheduled = false
    while (queue.length > 0 && inFlight < options.maxInFlight) {
      const batch = nextBatch()
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
