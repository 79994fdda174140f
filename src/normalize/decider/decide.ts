// decide(state, outcome, webhookId): the events one normalization outcome adds to its order stream.
// It computes the stream's next state from the outcome's facts (merge) and emits exactly the events
// that move the fold there, so evolving the state with the result gives merge's state, and deciding
// the same outcome again yields nothing (redeliveries and re-runs are free).
//
// Details are merged field by field from the preferred snapshot and the rest (details.ts: the own
// source beats a billing source, then the newer modification time; an empty field never clears a
// filled one). Facts (paid, refunds, cancellation, ignore) are unioned, so status never moves backwards.

import { keySource, type OrderState, refundKey, withFacts } from "../../conversion/order.js"
import { deriveStatus, laterStatus, refundedTotal } from "../../conversion/status.js"
import type { OrderStatus } from "../../events/CanonicalOrder.js"
import type { PartnerRule } from "../../events/configSchema.js"
import type { AppEvent } from "../../events/Events.js"
import { compact } from "../../lib/compact.js"
import type { NormalizationOutcome, Observed } from "../outcome.js"
import { chooseDetails, detailsText } from "./details.js"

export interface DecideOptions {
  /** The current partner rules: the partner of merged details is recomputed from merged tracking. */
  readonly partners?: ReadonlyArray<PartnerRule> | undefined
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
export const merge = (
  state: OrderState,
  outcome: Observed,
  webhookId: string,
  options: DecideOptions = {}
): OrderState => {
  const from = { webhookId, parserVersion: outcome.parserVersion }
  const chosen = chooseDetails(state.order, state.basis, outcome.snapshot, from, outcome.orderKey, options.partners)
  // Same details: keep what the stream already recorded (see detailsText on the lagging updatedAt).
  const unchanged =
    chosen === undefined || (state.order !== undefined && detailsText(chosen.order) === detailsText(state.order))
  const details = unchanged ? state.order : chosen.order
  const basis = unchanged ? state.basis : chosen.basis
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
    ...(basis === undefined ? {} : { basis }),
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
  webhookId: string,
  options: DecideOptions = {}
): ReadonlyArray<AppEvent> => {
  if (outcome._tag !== "Observed") return []
  const next = merge(state, outcome, webhookId, options)
  const orderKey = outcome.orderKey
  const via = outcome.sourceId === keySource(orderKey) ? undefined : outcome.sourceId
  const events: Array<AppEvent> = []

  if (next.order !== undefined && (state.order === undefined || detailsText(state.order) !== detailsText(next.order))) {
    const basedOn = next.basis?.webhookId
    events.push({
      _tag: "OrderNormalized",
      webhookId,
      order: next.order,
      parserVersion: outcome.parserVersion,
      ...compact({ detailsFrom: basedOn === webhookId ? undefined : basedOn })
    })
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
