// `s2s webhooks list`: what the command defined in ../webhooks.ts does.
import { Effect, Either, Option } from "effect"
import { listWebhookProblems } from "../../webhooks/list.js"
import { parseWebhookSearch } from "../../webhooks/search.js"
import { print, printJson, table, usageError } from "../output.js"
import { withCore } from "../stages.js"
import type { WebhooksListInput } from "../webhooks.js"

export const list = (o: WebhooksListInput) =>
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
    const page = yield* listWebhookProblems(filters.right, { reveal: o.reveal }).pipe(withCore)
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
