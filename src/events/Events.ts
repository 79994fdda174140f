// Every event the service records, as one Schema union. The store encodes with it on append and
// decodes on read; old schema versions are upcast here, in one place, before decoding.
import { Schema, SchemaAST } from "effect"
import { alertEvents } from "./alerts.js"
import { configEvents } from "./config.js"
import { consoleEvents } from "./console.js"
import { dispatchEvents } from "./dispatch.js"
import { orderEvents } from "./order.js"
import { privacyEvents } from "./privacy.js"
import { webhookEvents } from "./webhook.js"

export const AppEvent = Schema.Union(
  ...configEvents,
  ...webhookEvents,
  ...orderEvents,
  ...dispatchEvents,
  ...alertEvents,
  ...privacyEvents,
  ...consoleEvents
)
export type AppEvent = typeof AppEvent.Type

const tagOf = (schema: Schema.Schema.Any): string => {
  const tag = SchemaAST.getPropertySignatures(schema.ast).find((p) => p.name === "_tag")
  if (!tag || !SchemaAST.isLiteral(tag.type)) throw new Error("every event schema is a TaggedStruct")
  return String(tag.type.literal)
}

/** Every event type the service knows. */
export const allEventTypes: ReadonlySet<EventType> = new Set(AppEvent.members.map((m) => tagOf(m) as EventType))
export type EventType = AppEvent["_tag"]
export type EventOf<T extends EventType> = Extract<AppEvent, { readonly _tag: T }>

export const EventMetadata = Schema.Struct({
  correlationId: Schema.optional(Schema.String),
  causationId: Schema.optional(Schema.String),
  /** Who caused it: "webhook:shop-de", "worker", "cli:alice", "token:tok_123", "config-file:s2s.yaml". */
  actor: Schema.optional(Schema.String),
  /** The job or request that appended it. */
  source: Schema.optional(Schema.String)
})
export type EventMetadata = typeof EventMetadata.Type

/** Current schema version per event type (1 unless listed). */
export const schemaVersions: Partial<Record<EventType, number>> = {}

/** Upcasters: (type, version) -> data at version + 1. None yet. */
const upcasters: Partial<
  Record<EventType, Record<number, (data: Record<string, unknown>) => Record<string, unknown>>>
> = {}

export const currentVersion = (type: EventType) => schemaVersions[type] ?? 1

const encodeSync = Schema.encodeSync(AppEvent)
// One decoder per type: the stored type names the member, so the union's search is skipped (about
// twice as fast, which a rebuild of millions of events notices).
const decoders = new Map(
  AppEvent.members.map((m) => [tagOf(m), Schema.decodeUnknownSync(m as Schema.Schema<AppEvent, unknown>)])
)

/** Splits an event into the stored (type, data) pair. */
export const encodeEvent = (
  event: AppEvent
): { type: EventType; schemaVersion: number; data: Record<string, unknown> } => {
  const { _tag, ...data } = encodeSync(event) as { _tag: EventType } & Record<string, unknown>
  return { type: _tag, schemaVersion: currentVersion(_tag), data }
}

export class UnknownEventError extends Error {
  override readonly name = "UnknownEventError"
}

/** Rebuilds an event from its stored form, upcasting older versions first. Throws on unknown types. */
export const decodeEvent = (type: string, schemaVersion: number, data: unknown): AppEvent => {
  let current = data as Record<string, unknown>
  const steps = upcasters[type as EventType]
  for (let v = schemaVersion; v < currentVersion(type as EventType); v++) {
    const step = steps?.[v]
    if (!step) throw new UnknownEventError(`no upcaster for ${type} v${v}`)
    current = step(current)
  }
  const decode = decoders.get(type)
  if (decode === undefined) throw new UnknownEventError(`unknown event type ${type} (v${schemaVersion})`)
  try {
    return decode({ ...current, _tag: type })
  } catch (error) {
    throw new UnknownEventError(`cannot decode event ${type} v${schemaVersion}: ${(error as Error).message}`)
  }
}
