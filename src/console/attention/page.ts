// GET /console/api/attention: the three lists in parallel.
import { Effect } from "effect"
import { Db } from "../../db/Db.js"
import { attentionDispatches, normalizationFailures, openBreakers } from "./queries.js"
import type { Attention } from "./schema.js"
import { ATTENTION_STATES } from "./states.js"

export const attentionPage = Effect.fn("Console.attention")(function* () {
  const db = yield* Db
  const [dispatches, failures, breakers] = yield* db
    .run("Console.attention", (sql) =>
      Promise.all([
        attentionDispatches(sql, ATTENTION_STATES),
        normalizationFailures(sql),
        openBreakers(sql, new Date())
      ])
    )
    .pipe(Effect.orDie)
  return {
    states: ATTENTION_STATES.map((s) => ({
      status: s.status,
      label: s.label,
      count: dispatches.counts.get(s.status) ?? 0,
      redispatchState: s.redispatch
    })),
    dispatches: dispatches.dispatches,
    normalizationFailures: failures.failures,
    normalizationFailuresTruncated: failures.truncated,
    breakers
  } satisfies Attention
})
