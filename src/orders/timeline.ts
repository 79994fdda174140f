// `s2s orders log`: an order's events as a readable timeline, one line per step: when, which stage
// (ingest, normalize, route, dispatch, alert, operator), what happened, for which target, with what
// outcome and how long it took. Pure; the CLI prints it as a table. Details stay in `--json`.

import { deadLetterCause } from "../events/dispatch.js"
import type { RecordedEvent } from "../events/EventStore.js"
import type { AppEvent } from "../events/Events.js"
import { amountText } from "../lib/money.js"
import { shellArg } from "../lib/shell.js"

export type Stage = "ingest" | "normalize" | "route" | "dispatch" | "alert" | "operator" | "other"

export interface TimelineRow {
  /** Global position of the event the row describes (one event may give several rows). */
  readonly position: number
  readonly at: string
  readonly stage: Stage
  readonly what: string
  readonly target: string
  readonly status: string
  readonly duration: string
}

/** A duration in the unit that reads best: 177 ms, 12.5 s, 4 min, 3.2 h, 2.1 d. */
export const span = (n: number) =>
  n < 1_000
    ? `${Math.round(n)} ms`
    : n < 60_000
      ? `${(n / 1_000).toFixed(1)} s`
      : n < 3_600_000
        ? `${Math.round(n / 60_000)} min`
        : n < 86_400_000
          ? `${(n / 3_600_000).toFixed(1)} h`
          : `${(n / 86_400_000).toFixed(1)} d`
const kb = (bytes: number) => (bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${bytes} B`)
const kindSuffix = (kind: string) => (kind === "conversion" ? "" : ` (${kind})`)

const hostPath = (url: string) => {
  try {
    const u = new URL(url)
    return `${u.host}${u.pathname}`
  } catch {
    return url.split("?")[0] ?? url
  }
}

/** Why a dispatch was given up, in words: its attempt budget, its horizon or the destination's window. */
export const givenUp = (event: {
  readonly attempts: number
  readonly reason: string
  readonly message: string
  readonly cause?: "attempts" | "horizon" | "window" | undefined
  readonly detail?: string | undefined
}) => {
  const tries = `${event.attempts} attempt${event.attempts === 1 ? "" : "s"}`
  // Older events carry the cause inside `reason` ("ServerError: gave up after 2 attempts").
  const last = event.cause === undefined ? event.reason.split(":")[0] : event.reason
  switch (deadLetterCause(event)) {
    case "attempts":
      return `all ${tries} the retry policy allows failed; last error ${last}: ${event.message}`
    case "horizon":
      return `${tries} failed and ${event.detail ?? "the next one would fall after the retry horizon"}; last error ${last}: ${event.message}`
    case "window":
      return `past the destination's time window after ${tries}; last error ${last}: ${event.message}`
    default:
      return `after ${tries}: ${event.reason}: ${event.message}`
  }
}

type Step = Omit<TimelineRow, "position" | "at" | "duration"> & { readonly duration?: string }

interface Context {
  readonly receivedAt: Map<string, number>
  /** When each webhook's pending renormalization was requested (the next normalization's duration). */
  readonly requestedAt: Map<string, number>
  /** `target|kind|attempt` of every attempt whose outcome is in the log. */
  readonly settled: ReadonlySet<string>
}

const attemptKey = (targetId: string, kind: string, attempt: number) => `${targetId}|${kind}|${attempt}`

/**
 * Intents followed by an outcome of their dispatch (its attempt, a hold, a skip, a dead letter): they
 * need no line of their own, the outcome has one. What is left is in flight, or was lost in a crash.
 */
const settledAttempts = (events: ReadonlyArray<RecordedEvent>): ReadonlySet<string> => {
  const settled = new Set<string>()
  const open = new Map<string, string>()
  for (const { event } of events) {
    switch (event._tag) {
      case "DispatchAttemptStarted":
        open.set(`${event.targetId}|${event.kind}`, attemptKey(event.targetId, event.kind, event.attempt))
        break
      case "DispatchAttempted":
      case "DispatchSucceeded":
      case "DispatchFailed":
      case "DispatchHeld":
        // A paused run's late outcome settles its own attempt, not a newer intent.
        settled.add(attemptKey(event.targetId, event.kind, event.attempt))
        break
      case "DispatchSkipped":
      case "DispatchDeadLettered": {
        const intent = open.get(`${event.targetId}|${event.kind}`)
        if (intent !== undefined) settled.add(intent)
        break
      }
    }
  }
  return settled
}

const describe = (event: AppEvent, context: Context, at: number): ReadonlyArray<Step> => {
  const step = (stage: Stage, what: string, status: string, target = "", duration?: string): Step => ({
    stage,
    what,
    status,
    target,
    ...(duration === undefined ? {} : { duration })
  })
  switch (event._tag) {
    case "WebhookReceived":
      return [
        step(
          "ingest",
          `webhook ${event.webhookId} from ${event.sourceId} (${event.topic ?? event.kind}, ${kb(event.body.bytes)})`,
          "accepted"
        )
      ]
    case "WebhookDuplicateReceived":
      return [step("ingest", `redelivery of webhook ${event.webhookId} (${kb(event.body.bytes)})`, "duplicate")]
    case "WebhookRejected":
      return [step("ingest", `webhook ${event.webhookId} rejected: ${event.reason}`, "rejected")]
    case "WebhookNormalized": {
      // Not the job's duration: how long after the webhook's receipt (or the operator's re-run request)
      // its normalization was recorded, queue time included.
      const requested = context.requestedAt.get(event.webhookId)
      const received = context.receivedAt.get(event.webhookId)
      const when =
        requested !== undefined
          ? ` ${span(at - requested)} after the re-run request`
          : received !== undefined
            ? ` ${span(at - received)} after receipt`
            : ""
      const changes = event.eventTypes.length === 0 ? "" : `: ${event.eventTypes.join(", ")}`
      return [
        step(
          "normalize",
          `webhook ${event.webhookId} ${requested === undefined ? "normalized" : "re-normalized"}${when} (parser v${event.parserVersion})${changes}${event.detail ? ` (${event.detail})` : ""}`,
          event.outcome
        )
      ]
    }
    case "NormalizationFailed":
      return [
        step(
          "normalize",
          `webhook ${event.webhookId} failed: ${event.reason}${event.path ? ` at ${event.path}` : ""}`,
          "failed"
        )
      ]
    case "RenormalizationRequested":
      return [
        step(
          "operator",
          `renormalization of webhook ${event.webhookId} requested by ${event.actor}: ${event.reason}`,
          "requested"
        )
      ]
    case "OrderNormalized": {
      const o = event.order
      const identity = `${o.company}, ${o.products.join("+") || "no product"}, partner ${o.partner ?? "none"}`
      return [
        step(
          "normalize",
          `order ${amountText(o.value.amountMinor, o.value.currency)} ${o.value.currency} (${identity})`,
          o.status
        )
      ]
    }
    case "OrderIgnored":
      return [step("normalize", `ignored: ${event.reason} (${event.detail})`, "ignored")]
    case "PaymentUpdated":
      return [
        step(
          "normalize",
          `payment ${event.from} -> ${event.to}${event.viaSource ? ` via ${event.viaSource}` : ""}`,
          event.to
        )
      ]
    case "OrderRefunded":
      return [
        step(
          "normalize",
          `refund${event.refundId ? ` ${event.refundId}` : ""}: ${amountText(event.refundedMinor, event.currency)} ${event.currency} refunded in total`,
          event.full ? "refunded" : "partially_refunded"
        )
      ]
    case "OrderCancelled":
      return [step("normalize", `cancelled${event.reason ? `: ${event.reason}` : ""}`, "cancelled")]
    case "DispatchPlanned":
      if (event.targets.length === 0)
        return [
          step("route", `no target (${event.decisions.length} rule(s) checked, trigger ${event.trigger})`, "unrouted")
        ]
      return event.targets.map((t) =>
        step(
          "route",
          `${t.kind} via rule ${t.ruleId} (${t.channel}, ${
            event.trigger === "operator"
              ? `replanned${event.actor ? ` by ${event.actor}` : ""}${event.reason ? `: ${event.reason}` : ""}`
              : `trigger ${event.trigger}`
          })`,
          "planned",
          t.targetId
        )
      )
    case "DispatchAttemptStarted":
      // Its outcome has a line of its own; an intent without one is an attempt in flight or lost.
      if (context.settled.has(attemptKey(event.targetId, event.kind, event.attempt))) return []
      return [
        step(
          "dispatch",
          `attempt ${event.attempt}${kindSuffix(event.kind)} started, no outcome recorded (being sent, or lost in a crash)`,
          "sending",
          event.targetId
        )
      ]
    case "DispatchAttempted": {
      const last = event.exchanges.at(-1)
      const call = last
        ? `${last.request.method} ${hostPath(last.request.url)}${last.error ? `: ${last.error}` : ""}`
        : "no request sent"
      const outcome = last?.response ? `HTTP ${last.response.status}` : last?.error ? "error" : "-"
      const trigger = `${event.trigger === "scheduled" ? "" : ` (${event.trigger})`}${
        event.resendOf === undefined ? "" : ` (resends attempt ${event.resendOf}, outcome unknown)`
      }`
      return [
        step(
          "dispatch",
          `attempt ${event.attempt}${kindSuffix(event.kind)}${trigger}: ${call}`,
          outcome,
          event.targetId,
          span(event.durationMs)
        )
      ]
    }
    case "DispatchSucceeded":
      return [
        step(
          "dispatch",
          `${event.alreadyRecorded ? "already recorded by the destination" : "delivered"}${kindSuffix(event.kind)} (dedup key ${event.dedupKey})`,
          "succeeded",
          event.targetId
        )
      ]
    case "DispatchFailed": {
      // A retryable failure with no next attempt is the one a dead letter follows: it was not retried.
      const retrying = event.retryable && event.nextAttemptAt !== undefined
      const next = retrying
        ? `; next attempt ${event.nextAttemptAt}`
        : event.retryable
          ? "; not retried (given up, see below)"
          : "; permanent, not retried"
      return [
        step(
          "dispatch",
          `attempt ${event.attempt}${kindSuffix(event.kind)} failed: ${event.reason}: ${event.message}${next}`,
          retrying ? "retrying" : "failed",
          event.targetId
        )
      ]
    }
    case "DispatchSkipped":
      return [
        step(
          "dispatch",
          `skipped${kindSuffix(event.kind)}: ${event.reason} (${event.detail})`,
          "skipped",
          event.targetId
        )
      ]
    case "DispatchDeadLettered":
      return [step("dispatch", `given up${kindSuffix(event.kind)}: ${givenUp(event)}`, "dead_lettered", event.targetId)]
    case "DispatchImported":
      return [
        step(
          "operator",
          `${event.kind} already sent by the previous system at ${event.sentAt}${event.reference ? ` (ref ${event.reference})` : ""}; imported by ${event.actor}, never sent from here`,
          "imported",
          event.targetId
        )
      ]
    case "DispatchHeld":
      return [
        step(
          "dispatch",
          `held${kindSuffix(event.kind)}: ${event.detail}; to send it: s2s redispatch --order ${shellArg(event.orderKey)} --target ${shellArg(event.targetId)} --yes`,
          "held",
          event.targetId
        )
      ]
    case "DispatchRequested":
      return [
        step(
          "operator",
          `re-dispatch${kindSuffix(event.kind)} requested by ${event.actor}${event.force ? " (forced)" : ""}: ${event.reason}`,
          "requested",
          event.targetId
        )
      ]
    case "AlertRaised":
      return [step("alert", `${event.problem}: ${event.summary}`, "raised", event.targetId ?? "")]
    case "AlertSent":
      return [step("alert", `sent to ${event.channel} (${event.occurrences} occurrence(s))`, "sent")]
    case "AlertSuppressed":
      return [step("alert", `suppressed: ${event.reason}`, "suppressed")]
    case "AlertDeliveryFailed":
      return [
        step(
          "alert",
          `delivery attempt ${event.attempt} failed: ${event.error}`,
          event.retryable ? "retrying" : "failed"
        )
      ]
    case "SubjectErased":
      return [
        step(
          "operator",
          `personal data erased by ${event.actor} (${event.events} event(s), ${event.projectionRows} view row(s), ${event.orderKeys.length} order(s)${event.scrubbedRows === undefined ? "" : `, ${event.scrubbedRows} row(s) scrubbed`})${event.reason ? `: ${event.reason}` : ""}`,
          "erased"
        )
      ]
    case "PersonalDataRevealed":
      return [step("operator", `personal data revealed to ${event.actor} in the console: ${event.reason}`, "revealed")]
    default:
      return [step("other", event._tag, "")]
  }
}

/** Operators act through the CLI (cli:NAME) or a token (token:ID); their events are their stage. */
const byOperator = (metadata: RecordedEvent["metadata"]) =>
  metadata.actor !== undefined && (metadata.actor.startsWith("cli:") || metadata.actor.startsWith("token:"))

export const timeline = (events: ReadonlyArray<RecordedEvent>): ReadonlyArray<TimelineRow> => {
  const receivedAt = new Map<string, number>()
  const requestedAt = new Map<string, number>()
  const settled = settledAttempts(events)
  return events.flatMap((e) => {
    const at = e.recordedAt.getTime()
    if (e.event._tag === "WebhookReceived") receivedAt.set(e.event.webhookId, at)
    if (e.event._tag === "RenormalizationRequested") requestedAt.set(e.event.webhookId, at)
    const rows = describe(e.event, { receivedAt, requestedAt, settled }, at)
    if (e.event._tag === "WebhookNormalized") requestedAt.delete(e.event.webhookId)
    return rows.map((s) => ({
      position: e.position,
      at: e.recordedAt.toISOString(),
      stage: byOperator(e.metadata) ? "operator" : s.stage,
      what: s.what,
      target: s.target,
      status: s.status,
      duration: s.duration ?? ""
    }))
  })
}
