// The conversion view of one order, pure: the order stream's fold (conversion/stream.ts: the order
// and its dispatches) kept as a row, with the summary columns the search needs. JSON-serialisable so a
// row's `doc` can be loaded, evolved with the next events and stored again.

import { type DispatchEntry, dispatchKey } from "../conversion/dispatch.js"
import { initialOrderState, type OrderState } from "../conversion/order.js"
import { type ConversionState, evolveConversion } from "../conversion/stream.js"
import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import type { RecordedEvent } from "../events/EventStore.js"
import { orderKeyOf } from "../events/streams.js"

export type DispatchSummary =
  | "none"
  | "pending"
  | "delivered"
  | "partial"
  | "failed"
  | "dead_lettered"
  | "skipped"
  | "held"

export interface ConversionView {
  readonly orderKey: string
  readonly order: OrderState
  readonly dispatch: ReadonlyArray<DispatchEntry>
  readonly firstRecordedAt: string
  readonly updatedAt: string
  readonly lastPosition: number
  readonly version: number
}

const AFFILIATE_IDS = (order: CanonicalOrder) => Object.keys(order.tracking.clickIds).length > 0

export const hasClickId = (order: CanonicalOrder | undefined) =>
  order !== undefined &&
  Boolean(
    order.tracking.gclid ||
      order.tracking.gbraid ||
      order.tracking.wbraid ||
      order.tracking.fbclid ||
      order.tracking.fbc ||
      AFFILIATE_IDS(order)
  )

export const hasAnyTracking = (order: CanonicalOrder | undefined) => {
  if (order === undefined) return false
  const utm = order.tracking.utm
  return hasClickId(order) || Boolean(order.tracking.fbp || utm.source || utm.medium || utm.campaign)
}

export type TrackingState = "none" | "inconsistent" | "ok"

const GOOGLE_SOURCE = /^(google|googleads|google_ads|adwords|youtube)$/i
const META_SOURCE = /^(facebook|fb|instagram|ig|meta)$/i

const CLICK_KEYS = ["gclid", "gbraid", "wbraid", "fbclid", "fbc", "fbp"] as const
const present = (value: string | undefined) => value !== undefined && value.trim() !== ""

/** Names of the identifiers the order carries with a value: Google's and Meta's, then affiliate ones sorted. */
export const clickKeys = (order: CanonicalOrder | undefined): ReadonlyArray<string> =>
  order === undefined
    ? []
    : [
        ...CLICK_KEYS.filter((k) => present(order.tracking[k])),
        ...Object.keys(order.tracking.clickIds)
          .filter((k) => present(order.tracking.clickIds[k]))
          .sort()
      ]

/**
 * "none": no click id and no utm at all. "inconsistent": utm_source says Google (or Meta) but the order
 * has no gclid / gbraid / wbraid (no fbclid / fbc), so that platform cannot attribute the sale: usually
 * a checkout that drops the click id. "ok" otherwise.
 */
export const trackingState = (order: CanonicalOrder | undefined): TrackingState => {
  if (!hasAnyTracking(order) || order === undefined) return "none"
  const t = order.tracking
  const source = t.utm.source?.trim() ?? ""
  if (GOOGLE_SOURCE.test(source) && !(t.gclid || t.gbraid || t.wbraid)) return "inconsistent"
  if (META_SOURCE.test(source) && !(t.fbclid || t.fbc)) return "inconsistent"
  return "ok"
}

export const summarize = (entries: ReadonlyArray<DispatchEntry>): DispatchSummary => {
  const conversions = entries.filter((e) => e.kind === "conversion")
  if (conversions.length === 0) return "none"
  const statuses = new Set(conversions.map((e) => e.status))
  if (statuses.size === 1 && statuses.has("succeeded")) return "delivered"
  // Held first: only an operator moves it on, whatever the other targets are doing.
  if (statuses.has("held")) return "held"
  if (statuses.has("planned") || statuses.has("retrying")) return "pending"
  if (statuses.has("succeeded")) return "partial"
  if (statuses.has("dead_lettered")) return "dead_lettered"
  if (statuses.has("failed")) return "failed"
  return "skipped"
}

export const evolveView = (view: ConversionView | undefined, e: RecordedEvent): ConversionView => foldView(view, [e])

/**
 * evolveView over several events of one order, in order: the same view, with the dispatch entries
 * kept in one Map from the first event to the last instead of an array rebuilt after each (a batch
 * of a rebuild folds all of an order's events at once).
 */
export const foldView = (view: ConversionView | undefined, events: ReadonlyArray<RecordedEvent>): ConversionView => {
  const first = events[0]
  if (first === undefined) {
    if (view === undefined) throw new Error("foldView: no view and no events")
    return view
  }
  const start = first.recordedAt.toISOString()
  let base: ConversionView = view ?? {
    orderKey: orderKeyOf(first.streamId)!,
    order: initialOrderState,
    dispatch: [],
    firstRecordedAt: start,
    updatedAt: start,
    lastPosition: first.position,
    version: 0
  }
  let state: ConversionState = {
    order: base.order,
    dispatch: new Map(base.dispatch.map((d) => [dispatchKey(d.targetId, d.kind), d]))
  }
  let updatedAt = base.updatedAt
  let lastPosition = base.lastPosition
  let version = base.version
  for (const e of events) {
    state = evolveConversion(state, e)
    updatedAt = e === first ? start : e.recordedAt.toISOString()
    lastPosition = e.position
    version = Math.max(version, e.version)
  }
  base = { ...base, order: state.order, dispatch: [...state.dispatch.values()], updatedAt, lastPosition, version }
  return base
}

/** The columns the search filters on. */
export const columnsOf = (view: ConversionView) => {
  const order = view.order.order
  return {
    source_id: order?.sourceId ?? view.orderKey.split(":")[0] ?? "",
    company: order?.company ?? null,
    market: order?.market ?? null,
    partner: order?.partner ?? null,
    status: view.order.ignored ? "ignored" : view.order.status,
    value_minor: order?.value.amountMinor ?? null,
    currency: order?.value.currency ?? null,
    placed_at: order?.placedAt ?? null,
    paid_at: view.order.paidAt ?? null,
    ignored_reason: view.order.ignored?.reason ?? null,
    test: order?.test ?? false,
    has_click_id: hasClickId(order),
    missing_tracking: !hasAnyTracking(order),
    tracking_state: trackingState(order),
    utm_campaign: order?.tracking.utm.campaign ?? null,
    dispatch_state: summarize(view.dispatch),
    click_keys: clickKeys(order) as Array<string>,
    consent: order?.consent.adUserData ?? null
  }
}
