// A projection turns events into a read model. The runner feeds it batches in commit-safe global
// order and advances its checkpoint in the same transaction as its writes, so a crash never applies
// a batch twice or skips one. Read models are kept per generation (see sql/0005_projections.sql).
import type { Queryable } from "../db/Db.js"
import type { RecordedEvent } from "../events/EventStore.js"
import type { EventType } from "../events/Events.js"

/** What a projection that does not need event data gets: neither the data is read nor decoded. */
export interface EventHeader {
  readonly position: number
  readonly transactionId: string
  readonly streamId: string
  readonly version: number
  readonly type: EventType
  readonly recordedAt: Date
}

interface ProjectionBase {
  readonly name: string
  /**
   * The event types it reads. Others are never given to it, but the checkpoint still advances past
   * them (runner.ts): a projection that has seen everything up to X has its checkpoint at X.
   */
  readonly eventTypes: ReadonlySet<EventType>
  /** The read model table: every row carries a `generation` column and a text key column. */
  readonly table: string
  readonly keyColumn: string
}

/**
 * A projection's batch in two steps, for a rebuild (rebuild.ts) to prepare the next batch while the
 * last one is written: `prepare` computes the writes (reading the generation as `sql` shows it: every
 * batch before the last one prepared is committed by then), `write` makes them in the batch's
 * transaction. The result is the one `apply` gives on the same events. One per rebuild: it may keep
 * what it wrote in memory (bounded).
 */
export interface Rebuilder<P> {
  prepare(sql: Queryable, events: ReadonlyArray<RecordedEvent>): Promise<P>
  write(tx: Queryable, prepared: P): Promise<void>
}

export type Projection =
  | (ProjectionBase & {
      readonly reads: "events"
      readonly apply: (tx: Queryable, generation: number, events: ReadonlyArray<RecordedEvent>) => Promise<void>
      /** A rebuild without it applies batch after batch with `apply`. */
      readonly rebuilder?: (generation: number) => Rebuilder<unknown>
    })
  | (ProjectionBase & {
      readonly reads: "headers"
      readonly apply: (tx: Queryable, generation: number, events: ReadonlyArray<EventHeader>) => Promise<void>
    })

/** A projection of event data (not only headers). */
export type EventsProjection = Extract<Projection, { readonly reads: "events" }>
