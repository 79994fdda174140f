// decide(state, outcome, webhookId): the events one normalization outcome adds to its order stream.
// It computes the stream's next state from the outcome's facts (merge) and emits exactly the events
// that move the fold there, so evolving the state with the result gives merge's state, and deciding
// the same outcome again yields nothing (redeliveries and re-runs are free).
//
// Details: the order's own source beats a billing source (a Stripe payment fills in until the shop's
// snapshot arrives, then only contributes facts); between snapshots of the same kind the newer
// platform modification time wins, so a stale orders/updated delivered late changes nothing. Facts
// (paid, refunds, cancellation, ignore) are unioned, so status never moves backwards.
import type { CanonicalOrder, OrderStatus } from "../../events/CanonicalOrder.js"
import type { AppEvent } from "../../events/Events.js"
import { compact } from "../compact.js"
import type { NormalizationOutcome, Observed } from "../outcome.js"
import { stableJson } from "../stableJson.js"
import { deriveStatus, laterStatus, refundedTotal } from "../status.js"
import { keySource, type OrderState, refundKey, withFacts } from "./state.js"

const isOwn = (order: CanonicalOrder, orderKey: string) => order.sourceId === keySource(orderKey)

/**
 * Everything but the facts and the modification time, for "did the details change" and tie-breaks.
 * A snapshot that only has a newer updatedAt (Shopify sends orders/updated for every fulfillment)
 * records nothing; the price is that the stored updatedAt can lag, so a stale snapshot is only
 * recognised against the last snapshot that changed something (it could slip through only if the
 * platform reverted the order to its earlier details in between).
 */
const detailsText = (order: CanonicalOrder): string => {
  const { status: _s, paidAt: _p, refundedMinor: _r, updatedAt: _u, ...details } = order
  return stableJson(details)
}

const chooseDetails = (
  current: CanonicalOrder | undefined,
  incoming: CanonicalOrder | undefined,
  orderKey: string
): CanonicalOrder | undefined => {
  if (incoming === undefined) return current
  if (current === undefined) return incoming
  // Same details: keep what the stream already recorded (see detailsText on the lagging updatedAt).
  if (detailsText(incoming) === detailsText(current)) return current
  const own = isOwn(incoming, orderKey)
  if (own !== isOwn(current, orderKey)) return own ? incoming : current
  // Without modification times on both sides the latest delivery is the best guess.
  if (current.updatedAt === undefined || incoming.updatedAt === undefined) return incoming
  if (incoming.updatedAt !== current.updatedAt) return incoming.updatedAt > current.updatedAt ? incoming : current
  // Same modification time, different content: pick by content so arrival order cannot matter.
  return detailsText(incoming) > detailsText(current) ? incoming : current
}

const sumsBySource = (refunds: Readonly<Record<string, number>>): Map<string, number> => {
  const sums = new Map<string, number>()
  for (const [key, amount] of Object.entries(refunds)) {
    const source = key.slice(0, key.indexOf("|"))
    sums.set(source, (sums.get(source) ?? 0) + amount)
  }
  return sums
}

const refundFacts = (refunds: Readonly<Record<string, number>>, flag: boolean, valueMinor: number | undefined) => {
  const refundedMinor = refundedTotal(sumsBySource(refunds), flag, valueMinor)
  const fullyRefunded = flag || (valueMinor !== undefined && valueMinor > 0 && refundedMinor >= valueMinor)
  return { refundedMinor, fullyRefunded }
}

/** The stream's state after the outcome, computed directly from facts. */
export const merge = (state: OrderState, outcome: Observed): OrderState => {
  const details = chooseDetails(state.order, outcome.snapshot, outcome.orderKey)
  const paidAt = state.paidAt ?? outcome.paidAt
  const refunds: Record<string, number> = { ...state.refunds }
  for (const refund of outcome.refunds) {
    const key = refundKey(outcome.sourceId, refund.id)
    refunds[key] = Math.max(refunds[key] ?? 0, refund.amountMinor)
  }
  const { refundedMinor, fullyRefunded } = refundFacts(
    refunds,
    state.fullyRefunded || outcome.fullyRefunded,
    details?.value.amountMinor
  )
  const cancelled = state.cancelled ?? outcome.cancellation
  const derived = deriveStatus({
    paid: paidAt !== undefined,
    cancelled: cancelled !== undefined,
    refundedMinor,
    fullyRefunded
  })
  const status = laterStatus(state.status, derived)
  return {
    orderKey: outcome.orderKey,
    order: details === undefined ? undefined : withFacts(details, { status, paidAt, refundedMinor }),
    status,
    paidAt,
    refunds,
    refundedMinor,
    fullyRefunded,
    cancelled,
    ignored: state.ignored ?? outcome.ignore
  }
}

export const decide = (
  state: OrderState,
  outcome: NormalizationOutcome,
  webhookId: string
): ReadonlyArray<AppEvent> => {
  if (outcome._tag !== "Observed") return []
  const next = merge(state, outcome)
  const orderKey = outcome.orderKey
  const via = outcome.sourceId === keySource(orderKey) ? undefined : outcome.sourceId
  const events: Array<AppEvent> = []

  if (next.order !== undefined && (state.order === undefined || detailsText(state.order) !== detailsText(next.order))) {
    events.push({ _tag: "OrderNormalized", webhookId, order: next.order, parserVersion: outcome.parserVersion })
  }
  if (next.paidAt !== undefined && state.paidAt === undefined) {
    const to: OrderStatus = laterStatus(state.status, "paid")
    events.push({
      _tag: "PaymentUpdated",
      webhookId,
      orderKey,
      from: state.status,
      to,
      paidAt: next.paidAt,
      ...compact({ viaSource: via })
    })
  }
  events.push(...refundEvents(state, next, outcome, webhookId, via))
  if (next.cancelled !== undefined && state.cancelled === undefined) {
    const { at, reason } = next.cancelled
    events.push({ _tag: "OrderCancelled", webhookId, orderKey, ...compact({ reason, cancelledAt: at }) })
  }
  if (next.ignored !== undefined && state.ignored === undefined) {
    events.push({ _tag: "OrderIgnored", webhookId, orderKey, ...next.ignored })
  }
  return events
}

// One OrderRefunded per new or grown refund, in key order, each with the cumulative amount after it;
// a change of the total alone (a platform's "refunded" flag, an edited order value) gets one without id.
const refundEvents = (
  state: OrderState,
  next: OrderState,
  outcome: Observed,
  webhookId: string,
  via: string | undefined
): ReadonlyArray<AppEvent> => {
  const currency = next.order?.value.currency ?? outcome.refunds.find((r) => r.currency)?.currency ?? "XXX"
  const valueMinor = next.order?.value.amountMinor
  const changed = Object.keys(next.refunds)
    .filter((key) => next.refunds[key] !== state.refunds[key])
    .sort()
  const events: Array<AppEvent> = []
  const running: Record<string, number> = { ...state.refunds }
  changed.forEach((key, i) => {
    running[key] = next.refunds[key] ?? 0
    const last = i === changed.length - 1
    const facts = last ? next : refundFacts(running, state.fullyRefunded, valueMinor)
    const refundId = key.slice(key.indexOf("|") + 1)
    const fact = outcome.refunds.find((r) => r.id === refundId)
    events.push({
      _tag: "OrderRefunded",
      webhookId,
      orderKey: outcome.orderKey,
      refundedMinor: facts.refundedMinor,
      currency,
      full: facts.fullyRefunded,
      refundId,
      amountMinor: next.refunds[key] ?? 0,
      ...compact({ refundedAt: fact?.at, viaSource: via })
    })
  })
  if (
    changed.length === 0 &&
    (next.refundedMinor !== state.refundedMinor || next.fullyRefunded !== state.fullyRefunded)
  ) {
    events.push({
      _tag: "OrderRefunded",
      webhookId,
      orderKey: outcome.orderKey,
      refundedMinor: next.refundedMinor,
      currency,
      full: next.fullyRefunded,
      ...compact({ viaSource: via })
    })
  }
  return events
}
