// Read model: one row per stream (category, version, first and last event). Lets operators list
// recent webhooks and orders without scanning the log, and exercises the projection machinery.
import type { Queryable } from "../db/Db.js"
import { allEventTypes } from "../events/Events.js"
import type { EventHeader, Projection } from "./Projection.js"

export interface StreamSummary {
  readonly streamId: string
  readonly category: string
  readonly version: number
  readonly eventCount: number
  readonly firstEventType: string
  readonly lastEventType: string
  readonly firstRecordedAt: Date
  readonly lastRecordedAt: Date
  readonly lastPosition: number
}

/** The part of a stream id before the first '-' or ':' (webhook, order, config, alert, target). */
export const categoryOf = (streamId: string) => /^[^-:]+/.exec(streamId)?.[0] ?? streamId

/** Pure: folds a batch into the summaries it touches (existing rows given, new rows created). */
export const evolveSummaries = (
  existing: ReadonlyMap<string, StreamSummary>,
  events: ReadonlyArray<EventHeader>
): Map<string, StreamSummary> => {
  const out = new Map<string, StreamSummary>()
  for (const e of events) {
    const current = out.get(e.streamId) ?? existing.get(e.streamId)
    out.set(
      e.streamId,
      current === undefined
        ? {
            streamId: e.streamId,
            category: categoryOf(e.streamId),
            version: e.version,
            eventCount: 1,
            firstEventType: e.type,
            lastEventType: e.type,
            firstRecordedAt: e.recordedAt,
            lastRecordedAt: e.recordedAt,
            lastPosition: e.position
          }
        : {
            ...current,
            version: Math.max(current.version, e.version),
            eventCount: current.eventCount + 1,
            lastEventType: e.type,
            lastRecordedAt: e.recordedAt,
            lastPosition: e.position
          }
    )
  }
  return out
}

export const streamSummaries: Projection = {
  name: "stream_summaries",
  eventTypes: allEventTypes,
  // Only stream, version, type and time matter here: the data (raw webhook bodies) is never read.
  reads: "headers",
  table: "stream_summaries",
  keyColumn: "stream_id",
  apply: async (tx: Queryable, generation, events) => {
    const ids = [...new Set(events.map((e) => e.streamId))]
    const rows = await tx<
      Array<{
        stream_id: string
        category: string
        version: string
        event_count: string
        first_event_type: string
        last_event_type: string
        first_recorded_at: Date
        last_recorded_at: Date
        last_position: string
      }>
    >`select * from stream_summaries where generation = ${generation} and stream_id = any(${ids}::text[])`
    const existing = new Map(
      rows.map((r) => [
        r.stream_id,
        {
          streamId: r.stream_id,
          category: r.category,
          version: Number(r.version),
          eventCount: Number(r.event_count),
          firstEventType: r.first_event_type,
          lastEventType: r.last_event_type,
          firstRecordedAt: r.first_recorded_at,
          lastRecordedAt: r.last_recorded_at,
          lastPosition: Number(r.last_position)
        }
      ])
    )
    const next = [...evolveSummaries(existing, events).values()]
    await tx`
      insert into stream_summaries ${tx(
        next.map((s) => ({
          generation,
          stream_id: s.streamId,
          category: s.category,
          version: s.version,
          event_count: s.eventCount,
          first_event_type: s.firstEventType,
          last_event_type: s.lastEventType,
          first_recorded_at: s.firstRecordedAt,
          last_recorded_at: s.lastRecordedAt,
          last_position: s.lastPosition
        }))
      )}
      on conflict (generation, stream_id) do update set
        version = excluded.version, event_count = excluded.event_count, last_event_type = excluded.last_event_type,
        last_recorded_at = excluded.last_recorded_at, last_position = excluded.last_position`
  }
}
