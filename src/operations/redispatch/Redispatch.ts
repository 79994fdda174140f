// Re-dispatch from history. Consumes: the conversions projection (to nominate orders), each order's
// stream (to decide exactly, see decide.ts) and the configuration. Emits, on confirmation only:
// DispatchRequested {orderKey, targetId, kind, reason, actor, force} on the order's stream with the
// dispatch job enqueued in the same transaction. The job key is the dispatcher's own, one per
// (order, target, kind): a retry job still waiting is replaced (it runs now), never doubled.
// Concurrent confirmations meet on the order stream's expected version; the loser re-reads, sees the
// winner's request and requests nothing, so a selection confirmed twice at once is sent once.
// Fails with nothing typed: requests are checked before (request.ts); database failures are defects.
import { Config, Context, Effect, Layer, Schedule } from "effect"
import { ConfigState } from "../../config/ConfigState.js"
import type { ConfigSnapshot } from "../../config/state.js"
import { dispatchKey } from "../../conversion/dispatch.js"
import { Db } from "../../db/Db.js"
import { EventStore, type RecordedEvent } from "../../events/EventStore.js"
import type { AppEvent } from "../../events/Events.js"
import { orderStream } from "../../events/streams.js"
import { dispatchJob } from "../../rules/plan.js"
import type { Operator, RedispatchRequest } from "../request.js"
import type { RedispatchItem, RedispatchReport } from "../schemas.js"
import { type Evaluated, evaluateOrder } from "./decide.js"
import { defaultEndpoints } from "./preview.js"
import { selectOrders } from "./select.js"

export interface RedispatchService {
  readonly run: (request: RedispatchRequest, operator: Operator) => Effect.Effect<RedispatchReport>
}

export class Redispatch extends Context.Tag("app/operations/Redispatch")<Redispatch, RedispatchService>() {}

/** Orders one request handles; more are reported as truncated. */
export const MAX_ORDERS = 5_000
const READ_CHUNK = 200

const chunks = <A>(items: ReadonlyArray<A>, size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size))

const report = (
  request: RedispatchRequest,
  items: ReadonlyArray<RedispatchItem>,
  notFound: ReadonlyArray<string>,
  truncated: boolean
): RedispatchReport => ({
  dryRun: request.dryRun,
  force: request.force,
  selected: items.length,
  send: items.filter((i) => i.action !== "skipped").length,
  skipped: items.filter((i) => i.action === "skipped").length,
  notFound,
  truncated,
  items
})

export const RedispatchLive = Layer.effect(
  Redispatch,
  Effect.gen(function* () {
    const db = yield* Db
    const store = yield* EventStore
    const config = yield* ConfigState
    // The same variables the channels read, so the dry run names the URL they would call.
    const endpoints = {
      metaGraphUrl: yield* Config.string("META_GRAPH_URL").pipe(Config.withDefault(defaultEndpoints.metaGraphUrl)),
      googleDataManagerUrl: yield* Config.string("GOOGLE_DATA_MANAGER_URL").pipe(
        Config.withDefault(defaultEndpoints.googleDataManagerUrl)
      )
    }

    const candidates = (request: RedispatchRequest) =>
      request.orderKeys !== undefined
        ? Effect.succeed({
            orderKeys: request.orderKeys.slice(0, MAX_ORDERS),
            truncated: request.orderKeys.length > MAX_ORDERS
          })
        : db.query("Redispatch.select", (sql) => selectOrders(sql, request, MAX_ORDERS))

    const evaluate = (
      request: RedispatchRequest,
      snapshot: ConfigSnapshot,
      orderKey: string,
      events: ReadonlyArray<RecordedEvent>,
      extra: Partial<Parameters<typeof evaluateOrder>[0]> = {}
    ) =>
      evaluateOrder({
        orderKey,
        events,
        filter: request,
        force: request.force,
        config: snapshot,
        now: new Date(),
        endpoints,
        ...extra
      })

    // google-ads-api is large: loaded only for a dry run that has ads-api targets to show.
    const adsLibFor = (snapshot: ConfigSnapshot) =>
      [...snapshot.targets.values()].some((t) => t.channel === "google-ads" && t.api === "ads-api")
        ? Effect.promise(() => import("google-ads-api"))
        : Effect.succeed(undefined)

    const dryRun = (
      request: RedispatchRequest,
      snapshot: ConfigSnapshot,
      orderKeys: ReadonlyArray<string>,
      onProgress: Operator["onProgress"]
    ) =>
      Effect.gen(function* () {
        const adsLib = yield* adsLibFor(snapshot)
        let done = 0
        const items: Array<RedispatchItem> = []
        const notFound: Array<string> = []
        for (const chunk of chunks(orderKeys, READ_CHUNK)) {
          const events = yield* store.readStreams(chunk.map(orderStream))
          const byStream = new Map<string, Array<RecordedEvent>>()
          for (const e of events) {
            const list = byStream.get(e.streamId)
            if (list === undefined) byStream.set(e.streamId, [e])
            else list.push(e)
          }
          for (const orderKey of chunk) {
            const stream = byStream.get(orderStream(orderKey))
            if (stream === undefined) notFound.push(orderKey)
            else items.push(...evaluate(request, snapshot, orderKey, stream, { adsLib }).map((e) => e.item))
          }
          done += chunk.length
          onProgress?.(done, orderKeys.length)
        }
        return { items, notFound }
      })

    const confirmOrder = (
      request: RedispatchRequest,
      operator: Operator,
      snapshot: ConfigSnapshot,
      orderKey: string
    ) => {
      // Fixed by the first read: what was selected, and the version it was selected at.
      let baseVersion: number | undefined
      let only: ReadonlySet<string> | undefined
      let last: ReadonlyArray<Evaluated> = []
      const attempt = Effect.gen(function* () {
        const events = yield* store.readStream(orderStream(orderKey))
        if (events.length === 0) return undefined
        const version = events.at(-1)!.version
        const evaluated = evaluate(request, snapshot, orderKey, events, {
          baseVersion,
          filter: { ...request, only }
        })
        if (baseVersion === undefined) {
          baseVersion = version
          only = new Set(evaluated.map((e) => dispatchKey(e.entry.targetId, e.entry.kind)))
        }
        last = evaluated
        const sends = evaluated.filter((e) => e.item.action === "would_send")
        if (sends.length > 0) {
          const requests: Array<AppEvent> = sends.map((e) => ({
            _tag: "DispatchRequested",
            orderKey,
            targetId: e.entry.targetId,
            kind: e.entry.kind,
            reason: request.reason,
            actor: operator.actor,
            force: request.force
          }))
          yield* store.append(orderStream(orderKey), version, requests, {
            metadata: { actor: operator.actor, source: operator.origin, correlationId: orderKey },
            jobs: sends.map((e) => dispatchJob({ orderKey, targetId: e.entry.targetId, kind: e.entry.kind }))
          })
        }
        return evaluated.map(
          (e): RedispatchItem => (e.item.action === "would_send" ? { ...e.item, action: "requested" } : e.item)
        )
      })
      return attempt.pipe(
        Effect.retry({
          while: (e) => e._tag === "WrongExpectedVersion",
          schedule: Schedule.jittered(Schedule.exponential("10 millis")),
          times: 10
        }),
        Effect.catchTag("WrongExpectedVersion", () =>
          Effect.succeed(
            last.map(
              (e): RedispatchItem => ({
                ...e.item,
                action: "skipped",
                reason: "the order kept changing while this ran; nothing was requested, run it again"
              })
            )
          )
        )
      )
    }

    const run = Effect.fn("Redispatch.run")(function* (request: RedispatchRequest, operator: Operator) {
      const snapshot = yield* config.refresh
      const { orderKeys, truncated } = yield* candidates(request)
      if (request.dryRun) {
        const { items, notFound } = yield* dryRun(request, snapshot, orderKeys, operator.onProgress)
        return report(request, items, notFound, truncated)
      }
      let done = 0
      const results = yield* Effect.forEach(
        orderKeys,
        (orderKey) =>
          Effect.map(confirmOrder(request, operator, snapshot, orderKey), (items) => {
            operator.onProgress?.(++done, orderKeys.length)
            return { orderKey, items }
          }),
        { concurrency: 4 }
      )
      const notFound = results.filter((r) => r.items === undefined).map((r) => r.orderKey)
      const items = results.flatMap((r) => r.items ?? [])
      yield* Effect.logInfo(
        `re-dispatch by ${operator.actor}: ${items.filter((i) => i.action === "requested").length} requested, ` +
          `${items.filter((i) => i.action === "skipped").length} skipped`
      )
      return report(request, items, notFound, truncated)
    })

    return Redispatch.of({ run: (request, operator) => run(request, operator).pipe(Effect.orDie) })
  })
)
