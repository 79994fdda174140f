// GET /console/api/attention: the three lists in parallel. Webhooks that became no order are the
// webhook listing's (GET /api/v1/webhooks: failed normalizations and refused bodies), masked.
import { Effect } from "effect"
import { Db } from "../../db/Db.js"
import { listWebhookProblems } from "../../webhooks/list.js"
import { WEBHOOK_STATES } from "../../webhooks/search.js"
import { attentionDispatches, openBreakers, PAGE } from "./queries.js"
import type { Attention } from "./schema.js"
import { ATTENTION_STATES } from "./states.js"

export const attentionPage = Effect.fn("Console.attention")(function* () {
  const db = yield* Db
  const [[dispatches, breakers], webhooks] = yield* Effect.all(
    [
      db.query("Console.attention", (sql) =>
        Promise.all([attentionDispatches(sql, ATTENTION_STATES), openBreakers(sql, new Date())])
      ),
      listWebhookProblems({ states: WEBHOOK_STATES, limit: PAGE }, { reveal: false })
    ],
    { concurrency: 2 }
  ).pipe(Effect.orDie)
  return {
    states: ATTENTION_STATES.map((s) => ({
      status: s.status,
      label: s.label,
      count: dispatches.counts.get(s.status) ?? 0,
      redispatchState: s.redispatch
    })),
    dispatches: dispatches.dispatches,
    webhooks: webhooks.webhooks,
    webhooksTruncated: webhooks.nextCursor !== null,
    breakers
  } satisfies Attention
})
