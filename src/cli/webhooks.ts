// `s2s webhooks list [--state S] [--source ID] [--reason R] [--from] [--to] [--limit N] [--json]
// [--reveal]`: webhooks that became no order (normalization failed, or refused with 400), newest
// first, as GET /api/v1/webhooks lists them. Parser sentences are masked unless --reveal.
import { Command, Options } from "@effect/cli"
import { Effect, Either, Option } from "effect"
import { CoreLive } from "../main.js"
import { listWebhookProblems } from "../webhooks/list.js"
import { MAX_LIMIT, parseWebhookSearch, WEBHOOK_REASONS, WEBHOOK_STATES } from "../webhooks/search.js"
import { print, printJson, table, usageError } from "./output.js"

const text = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

const options = {
  state: text("state", `${WEBHOOK_STATES.join(" | ")}; comma-separated for several (default: both)`),
  source: text("source", "source id (exact)"),
  reason: text("reason", `${WEBHOOK_REASONS.join(" | ")}; comma-separated for several`),
  from: text("from", "recorded at or after (ISO 8601)"),
  to: text("to", "recorded before (ISO 8601)"),
  limit: text("limit", `at most this many (1 to ${MAX_LIMIT}, default 50)`),
  cursor: text("cursor", "the next page: the cursor printed under the previous one"),
  json: Options.boolean("json").pipe(Options.withDescription("print JSON (the API's answer)")),
  reveal: Options.boolean("reveal").pipe(Options.withDescription("show personal data a parser's message quotes"))
}

const list = Command.make("list", options, (o) =>
  Effect.gen(function* () {
    const params = Object.fromEntries(
      Object.entries({
        state: o.state,
        source: o.source,
        reason: o.reason,
        from: o.from,
        to: o.to,
        limit: o.limit,
        cursor: o.cursor
      }).flatMap(([k, v]) => (Option.isSome(v) ? [[k, v.value]] : []))
    )
    const filters = parseWebhookSearch(params)
    if (Either.isLeft(filters)) return yield* usageError(filters.left)
    const page = yield* listWebhookProblems(filters.right, { reveal: o.reveal }).pipe(Effect.provide(CoreLive))
    if (o.json) return yield* printJson(page)
    if (page.webhooks.length === 0) return yield* print("no webhooks match")
    yield* print(
      table(
        ["RECORDED", "SOURCE", "STATE", "REASON", "WEBHOOK", "MESSAGE"],
        page.webhooks.map((w) => [w.recordedAt, w.sourceId, w.state, w.reason, w.webhookId, w.message])
      )
    )
    if (page.nextCursor !== null) yield* print(`more: --cursor ${page.nextCursor}`)
    if (page.webhooks.some((w) => w.state === "normalization_failed"))
      yield* print("re-run failed ones after a fix: s2s renormalize --source ID (a dry run; --yes applies)")
  })
).pipe(
  Command.withDescription(
    "List webhooks that became no order: normalization_failed (re-run with s2s renormalize) and rejected (400)"
  )
)

export const webhooks = Command.make("webhooks").pipe(
  Command.withDescription("Inspect webhooks that became no order"),
  Command.withSubcommands([list])
)
