// The console benchmark's big dataset: N orders generated in SQL from four order-stream variants built
// with the event schemas (template.ts), spread over the last 30 days, then every projection rebuilt,
// so the console reads what a live system of that size holds. Variants (by order number mod 4):
//   0: acme / DE / google, delivered to Google, Meta and an affiliate, all acknowledged
//   1: beta / FR / meta, the same targets
//   2: acme / AT / awin, the affiliate dead-lettered after 3 attempts
//   3: gamma / NL / google without its gclid (a campaign losing click ids), delivered

import { dispatchFacts } from "../../src/console/facts/dispatchFacts.js"
import { makeSql } from "../../src/db/Db.js"
import type { CanonicalOrder } from "../../src/events/CanonicalOrder.js"
import type { AppEvent } from "../../src/events/Events.js"
import { encodeEvent } from "../../src/events/Events.js"
import { conversions } from "../../src/projections/conversions.js"
import { rebuild } from "../../src/projections/rebuild.js"
import { streamSummaries } from "../../src/projections/streamSummaries.js"
import { note } from "./support.js"
import { N, ORDER_KEY, orderStreamTemplate } from "./template.js"

/** The order's placement time: SQL puts each order's own there. */
const D = "__D__"
const CHUNK = 10_000

type Variant = (events: ReadonlyArray<AppEvent>) => ReadonlyArray<AppEvent>

const withOrder = (events: ReadonlyArray<AppEvent>, f: (o: CanonicalOrder) => CanonicalOrder) =>
  events.map((e) => (e._tag === "OrderNormalized" ? { ...e, order: f(e.order) } : e))

const dated: Variant = (events) =>
  withOrder(events, (o) => ({ ...o, placedAt: D, paidAt: D, updatedAt: D })).map((e) =>
    e._tag === "PaymentUpdated" ? { ...e, paidAt: D } : e
  )

const VARIANTS: ReadonlyArray<Variant> = [
  (events) => events,
  (events) => withOrder(events, (o) => ({ ...o, company: "beta", market: "FR", partner: "meta" })),
  (events) =>
    withOrder(events, (o) => ({ ...o, market: "AT", partner: "awin" })).flatMap((e): ReadonlyArray<AppEvent> => {
      if (e._tag !== "DispatchSucceeded" || e.targetId !== "awin-bench") return [e]
      const ref = { orderKey: ORDER_KEY, targetId: "awin-bench", kind: "conversion" as const }
      return [
        { _tag: "DispatchFailed", ...ref, attempt: 1, reason: "ServerError", retryable: true, message: "HTTP 500" },
        { _tag: "DispatchDeadLettered", ...ref, attempts: 3, reason: "ServerError", message: "HTTP 500" }
      ]
    }),
  (events) =>
    withOrder(events, (o) => ({
      ...o,
      company: "gamma",
      market: "NL",
      tracking: {
        ...o.tracking,
        gclid: undefined,
        utm: { source: "google", medium: "cpc", campaign: "lost_campaign" },
        landingUrl: "https://shop.example.nl/landing/lost?utm_source=google"
      }
    }))
]

const stored = (variant: Variant) =>
  dated(variant(orderStreamTemplate())).map((event) => {
    const { type, data } = encodeEvent(event)
    return { type, data: JSON.stringify(data) }
  })

/** Generates `orders` orders into the database at `url` and rebuilds every projection. */
export const seedOrders = async (url: string, orders: number) => {
  const owner = makeSql(url, { max: 1, role: null })
  const started = performance.now()
  try {
    await owner`set synchronous_commit = off`
    for (let from = 1; from <= orders; from += CHUNK) {
      const to = Math.min(orders, from + CHUNK - 1)
      await owner.begin(async (tx) => {
        for (const [v, variant] of VARIANTS.entries()) {
          const template = stored(variant)
          const placed = (o: string) =>
            tx.unsafe(`now() - (${o} % 30) * interval '1 day' - (${o} % 43200) * interval '1 second'`)
          await tx`
            insert into event_streams (stream_id, version)
            select 'order-shop-bench:' || o, ${template.length}
            from generate_series(${from}::int, ${to}::int) o where o % 4 = ${v}`
          await tx`
            insert into events (stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at)
            select 'order-shop-bench:' || o, t.v, gen_random_uuid(), t.type, 1,
                   replace(replace(t.data, ${N}, o::text), ${D},
                           to_char((${placed("o")}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::jsonb,
                   '{"actor": "worker"}'::jsonb,
                   ${placed("o")} + t.v * interval '5 ms'
            from generate_series(${from}::int, ${to}::int) o
            cross join unnest(${template.map((t) => t.type)}::text[], ${template.map((t) => t.data)}::text[],
                              ${template.map((_, i) => i + 1)}::int[]) as t(type, data, v)
            where o % 4 = ${v}
            order by o, t.v`
        }
      })
      process.stdout.write(`  generated ${to} orders\r`)
    }
    process.stdout.write("\n")
    await owner.unsafe("vacuum analyze events")
    await owner.unsafe("vacuum analyze event_streams")
  } finally {
    await owner.end()
  }
  const pool = makeSql(url, { max: 4 })
  try {
    for (const projection of [streamSummaries, conversions, dispatchFacts]) await rebuild(pool, projection)
    // As autovacuum would after such a load (the app role may not: only the owner analyzes).
    const owner = makeSql(url, { max: 1, role: null })
    await owner.unsafe("vacuum analyze conversions, dispatch_facts, stream_summaries").finally(() => owner.end())
    const [count] = await pool<Array<{ n: number; e: number }>>`
      select (select count(*)::int from conversions
              where generation = (select active_generation from projections where name = 'conversions')) as n,
             (select count(*)::int from events) as e`
    note(
      "console",
      `seeded ${count?.n} orders (${count?.e} events) over 30 days and rebuilt the projections in ${((performance.now() - started) / 1000).toFixed(0)} s`
    )
  } finally {
    await pool.end()
  }
}
