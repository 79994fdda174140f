// `s2s webhooks list [--state S] [--source ID] [--reason R] [--from] [--to] [--limit N] [--json]
// [--reveal]`: webhooks that became no order (normalization failed, or refused with 400), newest
// first, as GET /api/v1/webhooks lists them. Parser sentences are masked unless --reveal.
import { Command, Options } from "@effect/cli"
import { MAX_LIMIT, WEBHOOK_REASONS, WEBHOOK_STATES } from "../webhooks/search.js"
import { type Input, lazy } from "./lazy.js"

const text = (name: string, value: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName(value), Options.withDescription(description), Options.optional)

const options = {
  state: text("state", "STATE", `${WEBHOOK_STATES.join(" | ")}; comma-separated for several (default: both)`),
  source: text("source", "ID", "source id (exact)"),
  reason: text("reason", "REASON", `${WEBHOOK_REASONS.join(" | ")}; comma-separated for several`),
  from: text("from", "DATE", "recorded at or after (ISO 8601)"),
  to: text("to", "DATE", "recorded before (ISO 8601)"),
  limit: text("limit", "N", `at most this many (1 to ${MAX_LIMIT}, default 50)`),
  cursor: text("cursor", "CURSOR", "the next page: the cursor printed under the previous one"),
  json: Options.boolean("json").pipe(Options.withDescription("print JSON (the API's answer)")),
  reveal: Options.boolean("reveal").pipe(Options.withDescription("show personal data a parser's message quotes"))
}
export type WebhooksListInput = Input<typeof options>

const list = Command.make(
  "list",
  options,
  lazy(
    () => import("./run/webhooks.js"),
    (m) => m.list
  )
).pipe(
  Command.withDescription(
    "List webhooks that became no order: normalization_failed (re-run with s2s renormalize) and rejected (400)"
  )
)

export const webhooks = Command.make("webhooks").pipe(
  Command.withDescription("Inspect webhooks that became no order"),
  Command.withSubcommands([list])
)
