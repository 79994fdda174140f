// Out-of-order billing aliases. A Paddle adjustment or a Stripe refund only names its billing object;
// when it arrives before the payment that declares "this billing object is shop order X", it lands on
// the orphan {billing source}:{object id} stream. When the payment finally inserts the alias, the
// webhooks already on that stream are asked to run again (RenormalizationRequested + their normalize
// job, in the same transaction as the alias), and now resolve to the shop order. Their re-run follows
// the usual rule: if it changes nothing, it appends nothing.
import { type Context, Effect } from "effect"
import type { Db, DbError } from "../db/Db.js"
import type { Job } from "../events/append.js"
import type { EventStore, PendingAppend } from "../events/EventStore.js"
import { orderStream, webhookStream } from "../events/streams.js"

export interface Rerouting {
  readonly appends: ReadonlyArray<PendingAppend>
  readonly jobs: ReadonlyArray<Job>
}

const none: Rerouting = { appends: [], jobs: [] }

/** The requests that move the webhooks stranded on billingKey's stream once billingKey -> orderKey is known. */
export const reroutingFor = (
  services: { readonly db: Context.Tag.Service<Db>; readonly store: Context.Tag.Service<EventStore> },
  alias: { readonly billingKey: string; readonly orderKey: string; readonly webhookId: string },
  jobFor: (webhookId: string) => Job
): Effect.Effect<Rerouting, DbError> =>
  Effect.gen(function* () {
    const { db, store } = services
    const { billingKey, orderKey, webhookId } = alias
    const known = yield* db.query(
      "Normalize.aliasKnown",
      (sql) => sql<Array<{ n: number }>>`select 1 as n from order_aliases where alias = ${billingKey}`
    )
    if (known.length > 0) return none
    const stranded = new Set<string>()
    for (const { event } of yield* store.readStream(orderStream(billingKey))) {
      if ("webhookId" in event && typeof event.webhookId === "string" && event.webhookId !== webhookId)
        stranded.add(event.webhookId)
    }
    if (stranded.size === 0) return none
    const appends: Array<PendingAppend> = []
    const jobs: Array<Job> = []
    for (const id of [...stranded].sort()) {
      const events = yield* store.readStream(webhookStream(id))
      const last = events.at(-1)
      if (last === undefined) continue
      appends.push({
        streamId: webhookStream(id),
        expectedVersion: last.version,
        events: [
          {
            _tag: "RenormalizationRequested",
            webhookId: id,
            reason: `billing ${billingKey} is order ${orderKey}`,
            actor: "worker"
          }
        ]
      })
      jobs.push(jobFor(id))
    }
    return { appends, jobs }
  })
