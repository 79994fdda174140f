// Re-normalization. Consumes: WebhookReceived events and their last normalization record (see
// select.ts), and a dry run of the current parsers and configuration per webhook (Normalizer.run with
// dryRun). Emits, on confirmation and only for webhooks whose result would change:
// RenormalizationRequested {webhookId, reason, actor} on the webhook's stream, with the normalize job
// (the ingest job key, so a waiting job is replaced, not doubled) in the same transaction. A webhook
// with a request still pending is not requested again; concurrent confirmations meet on the webhook
// stream's expected version. Fails with nothing typed: database failures are defects.
import { Context, Effect, Layer, Schedule } from "effect"
import { ConfigState } from "../../config/ConfigState.js"
import { Db } from "../../db/Db.js"
import { EventStore } from "../../events/EventStore.js"
import { existingStreams } from "../../events/reads.js"
import { webhookStream } from "../../events/streams.js"
import { Normalizer, normalizationStatus, normalizeJob } from "../../normalize/NormalizeJob.js"
import type { Operator, RenormalizeRequest } from "../request.js"
import type { RenormalizeItem, RenormalizeReport } from "../schemas.js"
import { compareRun } from "./compare.js"
import { type SelectedWebhook, selectWebhooks } from "./select.js"

export interface RenormalizeService {
  readonly run: (request: RenormalizeRequest, operator: Operator) => Effect.Effect<RenormalizeReport>
}

export class Renormalize extends Context.Tag("app/operations/Renormalize")<Renormalize, RenormalizeService>() {}

/** Why a selection found no webhook, in terms of what was asked (and what was assumed). */
export const nothingSelected = (request: RenormalizeRequest): string => {
  const where = [
    request.sourceId === undefined ? "" : ` from source ${request.sourceId}`,
    request.from === undefined ? "" : ` received at or after ${request.from.toISOString()}`,
    request.to === undefined ? "" : ` received before ${request.to.toISOString()}`
  ].join("")
  if (request.state === "all") return `no webhook${where} was found`
  return (
    `no webhook${where} has a failed normalization: the selection takes only those (state failed` +
    `${request.stateDefaulted ? ", the default" : ""}). To re-run webhooks that were normalized, select ` +
    "state all (--state all) with a source or a from time; after a fix to rules, partners or targets, replan " +
    "the orders instead (s2s replan)"
  )
}

/** Webhooks one request handles (each is parsed again); more are reported as truncated. */
export const MAX_WEBHOOKS = 2_000

export const RenormalizeLive = Layer.effect(
  Renormalize,
  Effect.gen(function* () {
    const db = yield* Db
    const store = yield* EventStore
    const config = yield* ConfigState
    const normalizer = yield* Normalizer

    const one = (request: RenormalizeRequest, operator: Operator, webhook: SelectedWebhook) =>
      Effect.gen(function* () {
        const events = yield* store.readStream(webhookStream(webhook.webhookId))
        const status = normalizationStatus(events)
        const base = {
          webhookId: webhook.webhookId,
          sourceId: webhook.sourceId,
          ...(webhook.topic === undefined ? {} : { topic: webhook.topic }),
          receivedAt: webhook.receivedAt
        }
        const result = yield* normalizer.run(webhook.webhookId, { dryRun: true })
        if (result === undefined) return yield* Effect.dieMessage(`no dry-run result for webhook ${webhook.webhookId}`)
        const comparison = compareRun(status.last?.event, result)
        const item: RenormalizeItem = {
          ...base,
          before: comparison.before,
          after: comparison.after,
          ...(comparison.orderKey === undefined ? {} : { orderKey: comparison.orderKey }),
          orderEvents: comparison.orderEvents,
          action: comparison.changes ? "would_renormalize" : "unchanged"
        }
        if (status.requested) {
          const pending = events.findLast((e) => e.event._tag === "RenormalizationRequested")?.event
          const by = pending?._tag === "RenormalizationRequested" ? pending.actor : "someone"
          return { ...item, action: "skipped", reason: `a re-normalization requested by ${by} is pending` } as const
        }
        if (request.dryRun || !comparison.changes) return item
        yield* store.append(
          webhookStream(webhook.webhookId),
          events.at(-1)!.version,
          [
            {
              _tag: "RenormalizationRequested",
              webhookId: webhook.webhookId,
              reason: request.reason,
              actor: operator.actor
            }
          ],
          {
            metadata: { actor: operator.actor, source: operator.origin, correlationId: webhook.webhookId },
            jobs: [normalizeJob(webhook.webhookId)]
          }
        )
        return { ...item, action: "requested" } as const
      }).pipe(
        // The stream moved (a redelivery, the job, a concurrent confirmation): look again.
        Effect.retry({
          while: (e) => e._tag === "WrongExpectedVersion",
          schedule: Schedule.jittered(Schedule.exponential("10 millis")),
          times: 10
        })
      )

    const run = Effect.fn("Renormalize.run")(function* (request: RenormalizeRequest, operator: Operator) {
      yield* config.refresh
      const { webhooks, truncated } = yield* db.query("Renormalize.select", (sql) =>
        selectWebhooks(sql, request, MAX_WEBHOOKS)
      )
      const named = (request.webhookIds ?? []).map(webhookStream)
      const found = yield* db.query("Renormalize.exists", (sql) => existingStreams(sql, named))
      const notFound = (request.webhookIds ?? []).filter((id) => !found.has(webhookStream(id)))
      let done = 0
      const items = yield* Effect.forEach(
        webhooks,
        (w) =>
          Effect.tap(one(request, operator, w), () =>
            Effect.sync(() => operator.onProgress?.(++done, webhooks.length))
          ),
        { concurrency: 2 }
      )
      if (!request.dryRun)
        yield* Effect.logInfo(
          `re-normalization by ${operator.actor}: ${items.filter((i) => i.action === "requested").length} requested`
        )
      return {
        dryRun: request.dryRun,
        state: request.state,
        ...(items.length === 0 && notFound.length === 0 ? { explanation: nothingSelected(request) } : {}),
        selected: items.length,
        changes: items.filter((i) => i.action === "would_renormalize" || i.action === "requested").length,
        unchanged: items.filter((i) => i.action === "unchanged").length,
        skipped: items.filter((i) => i.action === "skipped").length,
        notFound,
        truncated,
        items
      } satisfies RenormalizeReport
    })

    return Renormalize.of({ run: (request, operator) => run(request, operator).pipe(Effect.orDie) })
  })
)
