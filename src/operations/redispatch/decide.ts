// The re-dispatch decider, pure: one order's stream (folded like the dispatcher folds it) + the
// filters + the configuration -> per matching (target, kind) whether a DispatchRequested would make
// the dispatcher send, and what. A success is final unless forced; a request already pending (or
// appended by a concurrent confirmation since `baseVersion`) is never requested twice.
import type { ConfigSnapshot } from "../../config/state.js"
import { configuredUrlParameters } from "../../config/urlPrivacy.js"
import { type DispatchEntry, type DispatchStatus, dispatchKey } from "../../conversion/dispatch.js"
import type { OrderState } from "../../conversion/order.js"
import { foldConversion } from "../../conversion/stream.js"
import type { AdsLib } from "../../dispatch/channels/google-ads/ads-api/request.js"
import type { DispatchKind } from "../../events/dispatch.js"
import type { AppEvent } from "../../events/Events.js"
import type { RedispatchState } from "../request.js"
import type { RedispatchItem } from "../schemas.js"
import { type Endpoints, previewDispatch } from "./preview.js"

export interface DispatchFilter {
  readonly target?: string | undefined
  readonly kind: DispatchKind
  readonly state?: RedispatchState | undefined
  /**
   * Dispatch keys chosen at the first read. A confirmation that re-reads after a conflict keeps to
   * them, whatever their state has become, so a concurrent request shows up as such.
   */
  readonly only?: ReadonlySet<string> | undefined
}

/** The statuses a state filter stands for, as stored in the conversions projection's doc.dispatch. */
export const statusesOf = (state: RedispatchState): ReadonlyArray<DispatchStatus> =>
  state === "pending" ? ["planned", "retrying"] : [state]

export const matchesFilter = (entry: DispatchEntry, filter: DispatchFilter) =>
  filter.only !== undefined
    ? filter.only.has(dispatchKey(entry.targetId, entry.kind))
    : entry.kind === filter.kind &&
      (filter.target === undefined || entry.targetId === filter.target) &&
      (filter.state === undefined || statusesOf(filter.state).includes(entry.status))

export interface StreamEvent {
  readonly event: AppEvent
  readonly recordedAt: Date
  readonly version: number
}

export interface EvaluateInput {
  readonly orderKey: string
  readonly events: ReadonlyArray<StreamEvent>
  readonly filter: DispatchFilter
  readonly force: boolean
  readonly config: ConfigSnapshot
  readonly now: Date
  readonly endpoints?: Endpoints | undefined
  /** google-ads-api, loaded, so ads-api targets show their exact request (preview.ts). */
  readonly adsLib?: AdsLib | undefined
  /** The stream version the operator's selection was made at; requests after it came from elsewhere. */
  readonly baseVersion?: number | undefined
}

export interface Evaluated {
  readonly entry: DispatchEntry
  readonly item: RedispatchItem
}

const requestedSince = (events: ReadonlyArray<StreamEvent>, base: number | undefined, entry: DispatchEntry) =>
  base === undefined
    ? undefined
    : events.find(
        (e) =>
          e.version > base &&
          e.event._tag === "DispatchRequested" &&
          e.event.targetId === entry.targetId &&
          e.event.kind === entry.kind
      )

const NO_DEDUP =
  "; postbacks carry no deduplication key, so the partner may count it twice unless it deduplicates on the order id"

const decide = (input: EvaluateInput, entry: DispatchEntry, order: OrderState) => {
  const skip = (reason: string) => ({ _tag: "Skip" as const, reason })
  const concurrent = requestedSince(input.events, input.baseVersion, entry)
  if (concurrent?.event._tag === "DispatchRequested")
    return skip(`requested meanwhile by ${concurrent.event.actor}; not requested twice`)
  if (entry.requested !== undefined && entry.status === "planned")
    return skip(`already requested by ${entry.requested.actor}; waiting for the dispatcher`)
  if (entry.status === "succeeded" && !input.force) return skip("already delivered (use --force)")
  const target = input.config.targets.get(entry.targetId)
  if (target === undefined) return skip(`target ${entry.targetId} is no longer configured`)
  if (!target.enabled) return skip(`target ${entry.targetId} is disabled`)
  if (order.order === undefined) return skip("the order has no details")
  if (entry.kind === "conversion" && (order.status === "refunded" || order.status === "cancelled"))
    return skip(`the order was ${order.status}: the dispatcher would not send the conversion`)
  const preview = previewDispatch({
    target,
    order: order.order,
    kind: entry.kind,
    valueMinor: entry.valueMinor,
    now: input.now,
    endpoints: input.endpoints,
    adsLib: input.adsLib,
    urlParameters: configuredUrlParameters({
      sources: input.config.sources.values(),
      partners: input.config.partners,
      targets: input.config.targets.values()
    })
  })
  if (preview._tag === "Skip") return preview
  const forcedResend = entry.status === "succeeded" && target.channel === "postback"
  // Sending a held dispatch is the operator's decision that the partner does not have it.
  const heldNote =
    entry.status === "held"
      ? `; resolves the hold: attempt ${entry.unknownAttempt ?? entry.attempts} may have reached the partner already`
      : ""
  return { ...preview, summary: `${preview.summary}${forcedResend ? NO_DEDUP : ""}${heldNote}` }
}

export const evaluateOrder = (input: EvaluateInput): ReadonlyArray<Evaluated> => {
  const { order, dispatch } = foldConversion(input.events)
  const out: Array<Evaluated> = []
  for (const entry of dispatch.values()) {
    if (!matchesFilter(entry, input.filter)) continue
    const decision = decide(input, entry, order)
    const base = {
      orderKey: input.orderKey,
      targetId: entry.targetId,
      kind: entry.kind,
      channel: entry.channel,
      state: entry.status,
      attempts: entry.attempts
    }
    out.push({
      entry,
      item:
        decision._tag === "Skip"
          ? { ...base, action: "skipped", reason: decision.reason }
          : {
              ...base,
              action: "would_send",
              summary: decision.summary,
              ...(decision.dedupKey === undefined ? {} : { dedupKey: decision.dedupKey }),
              ...(decision.request === undefined ? {} : { request: decision.request })
            }
    })
  }
  return out
}
