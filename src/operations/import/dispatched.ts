// `s2s import dispatched --csv FILE`, pure part: the CSV's rows checked against the configuration
// (order_key of a configured source, a configured target, an ISO 8601 sent_at), and per order the
// DispatchImported events to append given what its stream already says. A pair s2s already sent or
// attempted is not imported (it would claim a send that s2s made); one only planned is, and that
// stops the pending send. A pair imported before is skipped, so importing a file twice records nothing.
import type { ConfigSnapshot } from "../../config/state.js"
import { type DispatchState, dispatchKey, evolveDispatch } from "../../conversion/dispatch.js"
import type { DispatchImported } from "../../events/dispatch.js"
import type { AppEvent } from "../../events/Events.js"
import { type CsvRow, readCsv } from "../../lib/csv.js"
import { parseInstant } from "../request.js"

export interface ImportRow {
  readonly line: number
  readonly orderKey: string
  readonly targetId: string
  readonly sentAt: string
  readonly reference?: string | undefined
}

export const DISPATCHED_COLUMNS = { required: ["order_key", "target", "sent_at"], optional: ["reference"] } as const

export const importRows = (
  text: string,
  file: string,
  config: ConfigSnapshot,
  now: Date
): { readonly rows: ReadonlyArray<ImportRow>; readonly problems: ReadonlyArray<string> } => {
  const csv = readCsv(text, file, DISPATCHED_COLUMNS)
  if (csv._tag === "Invalid") return { rows: [], problems: csv.problems }
  const problems: Array<string> = []
  const seen = new Map<string, number>()
  const rows = csv.rows.flatMap((row: CsvRow): Array<ImportRow> => {
    const at = `${file}:${row.line}`
    const orderKey = row.values.order_key ?? ""
    const targetId = row.values.target ?? ""
    const reference = row.values.reference || undefined
    const found: Array<string> = []
    const sourceId = orderKey.includes(":") ? orderKey.slice(0, orderKey.indexOf(":")) : undefined
    if (sourceId === undefined || orderKey.endsWith(":"))
      found.push(`order_key "${orderKey}" is not SOURCE:ORDER_ID (s2s order keys, e.g. shop-de:1001)`)
    else if (!config.sources.has(sourceId))
      found.push(`order_key "${orderKey}": no source "${sourceId}" in the configuration`)
    if (!config.targets.has(targetId))
      found.push(`target "${targetId}" is not a configured target (${[...config.targets.keys()].join(", ")})`)
    const sent = parseInstant(row.values.sent_at, "sent_at")
    if (sent._tag === "Left" || sent.right === undefined)
      found.push(`sent_at "${row.values.sent_at}" is not an ISO 8601 time`)
    else if (sent.right.getTime() > now.getTime() + 60_000) found.push(`sent_at ${row.values.sent_at} is in the future`)
    if (reference !== undefined && reference.length > 500) found.push("reference is longer than 500 characters")
    const pair = `${orderKey}|${targetId}`
    if (seen.has(pair)) found.push(`${orderKey} to ${targetId} is already on line ${seen.get(pair)}`)
    seen.set(pair, row.line)
    problems.push(...found.map((p) => `${at}: ${p}`))
    if (found.length > 0 || sent._tag === "Left" || sent.right === undefined) return []
    return [{ line: row.line, orderKey, targetId, sentAt: sent.right.toISOString(), reference }]
  })
  return { rows, problems }
}

export interface ImportItem {
  readonly line: number
  readonly orderKey: string
  readonly targetId: string
  readonly action: "imported" | "would_import" | "skipped"
  readonly reason?: string
}

/** The events to append to one order's stream for its rows, and what happens to each row. */
export const decideImport = (
  rows: ReadonlyArray<ImportRow>,
  events: ReadonlyArray<{ readonly event: AppEvent; readonly recordedAt: Date }>,
  actor: string
): { readonly append: ReadonlyArray<typeof DispatchImported.Type>; readonly items: ReadonlyArray<ImportItem> } => {
  let state: DispatchState = new Map()
  for (const e of events) state = evolveDispatch(state, e.event, e.recordedAt.toISOString())
  const append: Array<typeof DispatchImported.Type> = []
  const items = rows.map((row): ImportItem => {
    const entry = state.get(dispatchKey(row.targetId, "conversion"))
    const base = { line: row.line, orderKey: row.orderKey, targetId: row.targetId }
    if (entry?.imported !== undefined) return { ...base, action: "skipped", reason: "imported before" }
    if (entry !== undefined && (entry.status !== "planned" || entry.attempts > 0))
      return {
        ...base,
        action: "skipped",
        reason: `s2s already dispatched it (${entry.status}, ${entry.attempts} attempt(s)): not recorded as the previous system's`
      }
    append.push({
      _tag: "DispatchImported",
      orderKey: row.orderKey,
      targetId: row.targetId,
      kind: "conversion",
      sentAt: row.sentAt,
      ...(row.reference === undefined ? {} : { reference: row.reference }),
      actor
    })
    return { ...base, action: "would_import" }
  })
  return { append, items }
}
