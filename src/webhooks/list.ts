// Webhooks that became no order, straight from the log (no projection lag): those whose last
// normalization failed (a later success or a re-run with another verdict takes them off) and those
// refused at ingest. Newest first, keyset-paginated on the global position, through the
// events_webhook_problems partial index (sql/0001_event_store.sql), whose predicate the query repeats literally.
// Reads only; personal data a parser's sentence may quote is masked unless the reader may see it.
import { Effect, Option, Schema } from "effect"
import { Db, type Queryable } from "../db/Db.js"
import { type ProblemRow, webhookProblems } from "../events/queries/webhooks.js"
import {
  failureReasonOf,
  NormalizationFailureReason,
  rejectionReasonOf,
  WebhookRejectionReason
} from "../events/webhook.js"
import { maskText } from "../orders/mask.js"
import { encodeCursor, WEBHOOK_STATES, type WebhookFilters, type WebhookState } from "./search.js"

export const WebhookProblem = Schema.Struct({
  webhookId: Schema.String,
  sourceId: Schema.String,
  state: Schema.Literal(...WEBHOOK_STATES),
  /** A bounded label: invalid_json, not_utf8, missing_field, invalid_field, unknown_source, invalid_payload. */
  reason: Schema.String,
  /** The parser's (or ingest's) own sentence. */
  message: Schema.String,
  path: Schema.NullOr(Schema.String),
  topic: Schema.NullOr(Schema.String),
  /** When the failure (or the refusal) was recorded. */
  recordedAt: Schema.String
}).annotations({ identifier: "WebhookProblem" })
export type WebhookProblem = typeof WebhookProblem.Type

export const WebhookList = Schema.Struct({
  webhooks: Schema.Array(WebhookProblem),
  nextCursor: Schema.NullOr(Schema.String).annotations({
    description: "Pass as `cursor` for the next page; null on the last page"
  })
}).annotations({ identifier: "WebhookList" })
export type WebhookList = typeof WebhookList.Type

const queryProblems = (sql: Queryable, f: WebhookFilters, limit: number) =>
  webhookProblems(
    sql,
    {
      normalizationFailed: f.states.includes("normalization_failed"),
      rejected: f.states.includes("rejected"),
      source: f.source,
      from: f.from,
      to: f.to,
      before: f.before
    },
    limit
  )

const decodeFailure = (value: unknown) =>
  Option.getOrUndefined(Schema.decodeUnknownOption(NormalizationFailureReason)(value))
const decodeRejection = (value: unknown) =>
  Option.getOrUndefined(Schema.decodeUnknownOption(WebhookRejectionReason)(value))

const toProblem = (row: ProblemRow, reveal: boolean): WebhookProblem => {
  const d = row.data
  const text = (key: string) => (typeof d[key] === "string" ? (d[key] as string) : undefined)
  const message = text("reason") ?? ""
  const state: WebhookState = row.type === "NormalizationFailed" ? "normalization_failed" : "rejected"
  const reason =
    state === "normalization_failed"
      ? failureReasonOf({ reason: message, category: decodeFailure(d.category) })
      : rejectionReasonOf({
          reason: message,
          body: { encoding: row.encoding ?? "utf8" },
          category: decodeRejection(d.category)
        })
  return {
    webhookId: text("webhookId") ?? "",
    sourceId: text("sourceId") ?? "",
    state,
    reason,
    message: reveal ? message : maskText(message),
    path: text("path") ?? null,
    topic: row.topic,
    recordedAt: row.recorded_at.toISOString()
  }
}

/**
 * A page of problem webhooks. A reason filter is applied to the rows read (events recorded before
 * the label existed derive it from their sentence), so more rows are read until the page is full.
 */
export const listWebhookProblems = Effect.fn("Webhooks.list")(function* (
  filters: WebhookFilters,
  options: { readonly reveal: boolean }
) {
  const db = yield* Db
  const batch = filters.reasons === undefined ? filters.limit + 1 : Math.max(200, filters.limit + 1)
  const found: Array<{ readonly problem: WebhookProblem; readonly position: number }> = []
  let before = filters.before
  for (;;) {
    const rows = yield* db.query("Webhooks.list", (sql) => queryProblems(sql, { ...filters, before }, batch))
    for (const row of rows) {
      const problem = toProblem(row, options.reveal)
      if (filters.reasons !== undefined && !filters.reasons.includes(problem.reason)) continue
      found.push({ problem, position: Number(row.global_position) })
      if (found.length > filters.limit) break
    }
    const last = rows.at(-1)
    if (found.length > filters.limit || rows.length < batch || last === undefined) break
    before = Number(last.global_position)
  }
  const page = found.slice(0, filters.limit)
  const end = page.at(-1)
  return {
    webhooks: page.map((f) => f.problem),
    nextCursor: found.length > filters.limit && end !== undefined ? encodeCursor(end.position) : null
  } satisfies WebhookList
})
