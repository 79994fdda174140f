// An order's log entries as the API returns them: the stored envelope and the event's data, with
// personal data masked for every reader but admin (maskEvent.ts).
import { Schema } from "effect"
import type { RecordedEvent } from "../events/EventStore.js"
import { encodeEvent } from "../events/Events.js"
import { maskEvent } from "./maskEvent.js"

export const LoggedEvent = Schema.Struct({
  position: Schema.Int.annotations({ description: "Global position in the event log" }),
  streamId: Schema.String,
  version: Schema.Int.annotations({ description: "Position within its stream, from 1" }),
  type: Schema.String,
  recordedAt: Schema.String,
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  data: Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
    description: "The event as recorded; raw bodies and customer data masked unless the token has scope admin"
  })
}).annotations({ identifier: "LoggedEvent" })
export type LoggedEvent = typeof LoggedEvent.Type

export const OrderLog = Schema.Struct({
  orderKey: Schema.String,
  masked: Schema.Boolean,
  events: Schema.Array(LoggedEvent)
}).annotations({
  identifier: "OrderLog",
  description:
    "Every event about the order, oldest first: its stream, every delivery of the webhooks normalized into it " +
    "(duplicates included), the alerts about it and operator actions"
})
export type OrderLog = typeof OrderLog.Type

export const toLoggedEvent = (recorded: RecordedEvent, options: { readonly reveal: boolean }): LoggedEvent => ({
  position: recorded.position,
  streamId: recorded.streamId,
  version: recorded.version,
  type: recorded.event._tag,
  recordedAt: recorded.recordedAt.toISOString(),
  metadata: recorded.metadata,
  data: encodeEvent(options.reveal ? recorded.event : maskEvent(recorded.event)).data
})

export const toOrderLog = (
  orderKey: string,
  events: ReadonlyArray<RecordedEvent>,
  options: { readonly reveal: boolean }
): OrderLog => ({
  orderKey,
  masked: !options.reveal,
  events: events.map((e) => toLoggedEvent(e, options))
})
