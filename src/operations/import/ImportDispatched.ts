// Cutover: conversions the previous system already sent, recorded as DispatchImported on their order
// streams (created when the order has not arrived yet), so s2s never sends them: not the dispatcher,
// not a plan made when the order's webhook arrives later, not replan. All rows are checked first; a
// file with any problem imports nothing. One append per order at the version it was read at; a
// concurrent writer (the order's normalization) makes it re-read and decide again.
import { Data, Effect, Schedule } from "effect"
import { ConfigState } from "../../config/ConfigState.js"
import { EventStore, type RecordedEvent } from "../../events/EventStore.js"
import { orderStream } from "../../events/streams.js"
import { decideImport, type ImportItem, type ImportRow, importRows } from "./dispatched.js"

export class ImportInvalid extends Data.TaggedError("ImportInvalid")<{
  readonly file: string
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    return `${this.file} cannot be imported (nothing was recorded):\n${this.problems.map((p) => `  - ${p}`).join("\n")}`
  }
}

export interface ImportReport {
  readonly dryRun: boolean
  readonly rows: number
  readonly imported: number
  readonly skipped: number
  readonly orders: number
  readonly items: ReadonlyArray<ImportItem>
}

const READ_CHUNK = 200

export const importDispatched = Effect.fn("Import.dispatched")(function* (
  text: string,
  file: string,
  options: { readonly dryRun: boolean; readonly actor: string; readonly origin: string }
) {
  const config = yield* (yield* ConfigState).refresh
  const store = yield* EventStore
  const { rows, problems } = importRows(text, file, config, new Date())
  if (problems.length > 0) return yield* Effect.fail(new ImportInvalid({ file, problems }))
  const byOrder = new Map<string, Array<ImportRow>>()
  for (const row of rows) byOrder.set(row.orderKey, [...(byOrder.get(row.orderKey) ?? []), row])
  const metadata = { actor: options.actor, source: options.origin }

  const confirm = (orderKey: string, orderRows: ReadonlyArray<ImportRow>) =>
    Effect.gen(function* () {
      const events = yield* store.readStream(orderStream(orderKey))
      const decision = decideImport(orderRows, events, options.actor)
      if (decision.append.length > 0)
        yield* store.append(orderStream(orderKey), events.at(-1)?.version ?? "no_stream", decision.append, {
          metadata: { ...metadata, correlationId: orderKey }
        })
      return decision.items.map((i): ImportItem => (i.action === "would_import" ? { ...i, action: "imported" } : i))
    }).pipe(
      Effect.retry({
        while: (e) => e._tag === "WrongExpectedVersion",
        schedule: Schedule.jittered(Schedule.exponential("10 millis")),
        times: 10
      })
    )

  const keys = [...byOrder.keys()]
  const items: Array<ImportItem> = []
  for (let i = 0; i < keys.length; i += READ_CHUNK) {
    const chunk = keys.slice(i, i + READ_CHUNK)
    if (options.dryRun) {
      const byStream = new Map<string, Array<RecordedEvent>>()
      for (const e of yield* store.readStreams(chunk.map(orderStream)))
        byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e])
      for (const key of chunk)
        items.push(...decideImport(byOrder.get(key)!, byStream.get(orderStream(key)) ?? [], options.actor).items)
    } else
      items.push(...(yield* Effect.forEach(chunk, (key) => confirm(key, byOrder.get(key)!), { concurrency: 4 })).flat())
  }
  items.sort((a, b) => a.line - b.line)
  const done = items.filter((i) => i.action !== "skipped")
  if (!options.dryRun) yield* Effect.logInfo(`import by ${options.actor}: ${done.length} dispatch(es) imported`)
  return {
    dryRun: options.dryRun,
    rows: rows.length,
    imported: done.length,
    skipped: items.length - done.length,
    orders: new Set(done.map((i) => i.orderKey)).size,
    items
  } satisfies ImportReport
})
