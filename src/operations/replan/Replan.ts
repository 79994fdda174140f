// Replan: route already-normalized orders again with the current configuration. Consumes the
// conversions projection (to nominate orders), each order's stream and the configuration. Emits, on
// confirmation only: one DispatchPlanned {trigger: operator, reason, actor} per order that gets new
// (order, target) conversions, with their dispatch jobs enqueued in the same transaction. Concurrent
// runs (or the order's own normalization) meet on the order stream's expected version; the loser
// re-reads, finds the pairs planned and plans nothing, so a pair is never planned twice.
// Fails with nothing typed: requests are checked before (request.ts); database failures are defects.
import { Context, Effect, Layer, Schedule } from "effect"
import { ConfigState } from "../../config/ConfigState.js"
import type { ConfigSnapshot } from "../../config/state.js"
import { Db } from "../../db/Db.js"
import { EventStore, type RecordedEvent } from "../../events/EventStore.js"
import { orderStream } from "../../events/streams.js"
import type { Operator, ReplanRequest } from "../request.js"
import type { ReplanItem, ReplanReport } from "../schemas.js"
import { decideReplan } from "./decide.js"
import { selectReplanOrders } from "./select.js"

export interface ReplanService {
  readonly run: (request: ReplanRequest, operator: Operator) => Effect.Effect<ReplanReport>
}

export class Replan extends Context.Tag("app/operations/Replan")<Replan, ReplanService>() {}

/** Orders one request handles; more are reported as truncated. */
export const MAX_REPLAN_ORDERS = 5_000
const READ_CHUNK = 200

interface OrderResult {
  readonly orderKey: string
  readonly found: boolean
  readonly items: ReadonlyArray<ReplanItem>
}

export const replanReport = (
  request: Pick<ReplanRequest, "dryRun">,
  results: ReadonlyArray<OrderResult>,
  truncated: boolean
): ReplanReport => {
  const found = results.filter((r) => r.found)
  const adds = (r: OrderResult) => r.items.some((i) => i.action === "would_plan" || i.action === "planned")
  const skipped = (r: OrderResult) => r.items.some((i) => i.action === "skipped")
  return {
    dryRun: request.dryRun,
    selected: found.length,
    orders: found.filter(adds).length,
    planned: found.flatMap((r) => r.items).filter((i) => i.action === "would_plan" || i.action === "planned").length,
    unchanged: found.filter((r) => !adds(r) && !skipped(r)).length,
    skipped: found.filter(skipped).length,
    notFound: results.filter((r) => !r.found).map((r) => r.orderKey),
    truncated,
    items: found.flatMap((r) => r.items)
  }
}

export const ReplanLive = Layer.effect(
  Replan,
  Effect.gen(function* () {
    const db = yield* Db
    const store = yield* EventStore
    const config = yield* ConfigState

    const candidates = (request: ReplanRequest) =>
      request.orderKeys !== undefined
        ? Effect.succeed({
            orderKeys: request.orderKeys.slice(0, MAX_REPLAN_ORDERS),
            truncated: request.orderKeys.length > MAX_REPLAN_ORDERS
          })
        : db.query("Replan.select", (sql) => selectReplanOrders(sql, request, MAX_REPLAN_ORDERS))

    const decide = (
      request: ReplanRequest,
      operator: Operator,
      snapshot: ConfigSnapshot,
      orderKey: string,
      events: ReadonlyArray<RecordedEvent>
    ) =>
      decideReplan({
        orderKey,
        events,
        config: snapshot,
        target: request.target,
        reason: request.reason,
        actor: operator.actor
      })

    const dryRun = (
      request: ReplanRequest,
      operator: Operator,
      snapshot: ConfigSnapshot,
      keys: ReadonlyArray<string>
    ) =>
      Effect.gen(function* () {
        const results: Array<OrderResult> = []
        for (let i = 0; i < keys.length; i += READ_CHUNK) {
          const chunk = keys.slice(i, i + READ_CHUNK)
          const byStream = new Map<string, Array<RecordedEvent>>()
          for (const e of yield* store.readStreams(chunk.map(orderStream)))
            byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e])
          for (const orderKey of chunk) {
            const events = byStream.get(orderStream(orderKey))
            results.push(
              events === undefined
                ? { orderKey, found: false, items: [] }
                : { orderKey, found: true, items: decide(request, operator, snapshot, orderKey, events).items }
            )
          }
          operator.onProgress?.(Math.min(i + READ_CHUNK, keys.length), keys.length)
        }
        return results
      })

    const confirmOrder = (request: ReplanRequest, operator: Operator, snapshot: ConfigSnapshot, orderKey: string) =>
      Effect.gen(function* () {
        const events = yield* store.readStream(orderStream(orderKey))
        if (events.length === 0) return { orderKey, found: false, items: [] } satisfies OrderResult
        const decision = decide(request, operator, snapshot, orderKey, events)
        if (decision.plan.events.length > 0)
          yield* store.append(orderStream(orderKey), events.at(-1)!.version, decision.plan.events, {
            metadata: { actor: operator.actor, source: operator.origin, correlationId: orderKey },
            jobs: decision.plan.jobs
          })
        const items = decision.items.map(
          (i): ReplanItem => (i.action === "would_plan" ? { ...i, action: "planned" } : i)
        )
        return { orderKey, found: true, items } satisfies OrderResult
      }).pipe(
        // Another writer moved the stream (its normalization, a concurrent replan): decide again.
        Effect.retry({
          while: (e) => e._tag === "WrongExpectedVersion",
          schedule: Schedule.jittered(Schedule.exponential("10 millis")),
          times: 10
        })
      )

    const run = Effect.fn("Replan.run")(function* (request: ReplanRequest, operator: Operator) {
      const snapshot = yield* config.refresh
      const { orderKeys, truncated } = yield* candidates(request)
      if (request.dryRun) return replanReport(request, yield* dryRun(request, operator, snapshot, orderKeys), truncated)
      let done = 0
      const results = yield* Effect.forEach(
        orderKeys,
        (orderKey) =>
          Effect.tap(confirmOrder(request, operator, snapshot, orderKey), () =>
            Effect.sync(() => operator.onProgress?.(++done, orderKeys.length))
          ),
        { concurrency: 4 }
      )
      const report = replanReport(request, results, truncated)
      yield* Effect.logInfo(
        `replan by ${operator.actor}: ${report.planned} dispatch(es) planned on ${report.orders} order(s)`
      )
      return report
    })

    return Replan.of({ run: (request, operator) => run(request, operator).pipe(Effect.orDie) })
  })
)
