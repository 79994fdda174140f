// The real Dispatcher on a fresh database, with adapters the test controls: orders and their plans
// are appended as events, jobs are run by calling Dispatcher.run directly (no worker), and what the
// dispatcher recorded is read back from the event log and graphile-worker's job table.
import { Effect, Either, Layer, ManagedRuntime } from "effect"
import { AlertingNone } from "../../src/alerts/Alerting.js"
import { ConfigState } from "../../src/config/ConfigState.js"
import { parseConfig } from "../../src/config/load.js"
import { DatabaseFromUrl } from "../../src/db/Database.js"
import type { Sql } from "../../src/db/Db.js"
import { BreakersLive } from "../../src/dispatch/Breakers.js"
import { type ChannelAdapter, Channels } from "../../src/dispatch/Channel.js"
import { Dispatcher, DispatcherLive } from "../../src/dispatch/Dispatcher.js"
import type { CanonicalOrder } from "../../src/events/CanonicalOrder.js"
import type { Target } from "../../src/events/configSchema.js"
import { EventStore } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import { orderStream } from "../../src/events/streams.js"
import { makeCore } from "../../src/main.js"
import type { DispatchJobPayload } from "../../src/rules/plan.js"
import { onCleanup } from "../support/cleanup.js"
import { appSql, freshDatabase, ownerSql } from "../support/db.js"
import { makeOrder } from "./channels/support/orders.js"

export interface Harness {
  readonly sql: Sql
  /** Appends the order and a DispatchPlanned for these targets (conversion). */
  readonly plan: (
    id: number,
    targets: ReadonlyArray<{ targetId: string; channel: Target["channel"] }>
  ) => Promise<string>
  readonly run: (payload: DispatchJobPayload) => Promise<void>
  readonly append: (streamId: string, events: ReadonlyArray<AppEvent>) => Promise<void>
  readonly types: (orderKey: string) => Promise<ReadonlyArray<string>>
  readonly events: (orderKey: string, type: string) => Promise<ReadonlyArray<Record<string, unknown>>>
  /** The pending graphile-worker job of this dispatch, if any. */
  readonly job: (orderKey: string, targetId: string) => Promise<{ runAt: Date } | undefined>
}

export const order = (id: number, overrides: Partial<CanonicalOrder> = {}): CanonicalOrder =>
  makeOrder("DE", {
    orderKey: `shop-de:${id}`,
    platformOrderId: String(id),
    partner: "awin",
    placedAt: new Date(Date.now() - 3_600_000).toISOString(),
    paidAt: new Date(Date.now() - 3_500_000).toISOString(),
    ...overrides
  })

export const startDispatcher = async (
  config: string,
  adapters: Partial<Record<Target["channel"], ChannelAdapter>>
): Promise<Harness> => {
  const databaseUrl = await freshDatabase()
  const layer = DispatcherLive.pipe(
    Layer.provideMerge(Layer.mergeAll(Layer.succeed(Channels, { get: (c) => adapters[c] }), BreakersLive)),
    Layer.provideMerge(AlertingNone),
    Layer.provideMerge(makeCore(DatabaseFromUrl(databaseUrl)))
  )
  const runtime = ManagedRuntime.make(layer)
  onCleanup(() => runtime.dispose())
  const file = Either.getOrThrow(parseConfig(config, "test.yaml"))
  await runtime.runPromise(Effect.flatMap(ConfigState, (c) => c.apply(file, { actor: "test" })))
  const sql = appSql(databaseUrl)
  const owner = ownerSql(databaseUrl)
  return {
    sql,
    plan: async (id, targets) => {
      const o = order(id)
      await runtime.runPromise(
        Effect.flatMap(EventStore, (store) =>
          store.appendMany(
            [
              {
                streamId: orderStream(o.orderKey),
                expectedVersion: "any",
                events: [
                  { _tag: "OrderNormalized", webhookId: `wh-${id}`, order: o, parserVersion: 1 },
                  {
                    _tag: "DispatchPlanned",
                    orderKey: o.orderKey,
                    targets: targets.map((t) => ({ ...t, ruleId: "r", kind: "conversion" as const })),
                    decisions: [],
                    trigger: "paid"
                  }
                ]
              }
            ],
            { metadata: { actor: "test" } }
          )
        )
      )
      return o.orderKey
    },
    run: (payload) => runtime.runPromise(Effect.flatMap(Dispatcher, (d) => d.run(payload))),
    append: (streamId, events) =>
      runtime.runPromise(
        Effect.flatMap(EventStore, (store) =>
          store.appendMany([{ streamId, expectedVersion: "any", events }], { metadata: { actor: "test" } })
        ).pipe(Effect.asVoid)
      ),
    types: async (orderKey) =>
      (
        await sql<Array<{ type: string }>>`
          select type from events where stream_id = ${orderStream(orderKey)} order by stream_version`
      ).map((r) => r.type),
    events: async (orderKey, type) =>
      (
        await sql<Array<{ data: Record<string, unknown> }>>`
          select data from events where stream_id = ${orderStream(orderKey)} and type = ${type} order by stream_version`
      ).map((r) => r.data),
    job: async (orderKey, targetId) => {
      const rows = await owner<Array<{ run_at: Date }>>`
        select run_at from graphile_worker.jobs
        where key = ${`dispatch:${orderKey}:${targetId}:conversion`}`
      return rows[0] ? { runAt: rows[0].run_at } : undefined
    }
  }
}
