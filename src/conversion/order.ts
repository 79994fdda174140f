// The fold of one order stream's normalization events. The stream also carries routing and dispatch
// events; evolve passes over every event type it does not know, so the same fold works on the whole
// stream. Facts (paid at, refunds, cancellation, ignore) only accumulate, and `order` always shows the
// latest details with the current status, paidAt and refundedMinor.
import type { CanonicalOrder, OrderStatus } from "../events/CanonicalOrder.js"
import type { AppEvent } from "../events/Events.js"
import type { OrderIgnored } from "../events/order.js"
import { compact } from "../lib/compact.js"
import { laterStatus } from "./status.js"

export interface Cancellation {
  readonly at?: string | undefined
  readonly reason?: string | undefined
}

export interface OrderState {
  readonly orderKey: string | undefined
  /** The latest merged view; undefined until a webhook carried the order's details. */
  readonly order: CanonicalOrder | undefined
  /** The webhook whose snapshot `order` is based on (its values won; others only filled gaps). */
  readonly basis?: Basis | undefined
  readonly status: OrderStatus
  /** When it was paid, as first learned; undefined while unpaid. */
  readonly paidAt: string | undefined
  /** Refund amounts by `{reporting source}|{refund id}`. */
  readonly refunds: Readonly<Record<string, number>>
  readonly refundedMinor: number
  readonly fullyRefunded: boolean
  readonly cancelled: Cancellation | undefined
  readonly ignored: Ignored | undefined
}

export interface Basis {
  readonly webhookId: string
  readonly parserVersion: number
}

export type Ignored = Pick<typeof OrderIgnored.Type, "reason" | "detail">

export const initialOrderState: OrderState = {
  orderKey: undefined,
  order: undefined,
  status: "pending",
  paidAt: undefined,
  refunds: {},
  refundedMinor: 0,
  fullyRefunded: false,
  cancelled: undefined,
  ignored: undefined
}

/** "shop-de:1001" -> "shop-de" (source ids cannot contain ":"). */
export const keySource = (orderKey: string): string => orderKey.slice(0, Math.max(0, orderKey.indexOf(":")))

export const refundKey = (reporter: string, refundId: string): string => `${reporter}|${refundId}`

/** The order with the stream's current facts, which may be newer than its details. */
export const withFacts = (
  order: CanonicalOrder,
  facts: Pick<OrderState, "status" | "paidAt" | "refundedMinor">
): CanonicalOrder => {
  const { paidAt: _, ...rest } = order
  return { ...rest, ...compact({ paidAt: facts.paidAt }), status: facts.status, refundedMinor: facts.refundedMinor }
}

const refundStatus = (full: boolean, refundedMinor: number): OrderStatus =>
  full ? "refunded" : refundedMinor > 0 ? "partially_refunded" : "pending"

const patched = (state: OrderState, next: Omit<OrderState, "order">): OrderState => ({
  ...next,
  order: state.order === undefined ? undefined : withFacts(state.order, next)
})

export const evolve = (state: OrderState, event: AppEvent): OrderState => {
  switch (event._tag) {
    case "OrderNormalized":
      return {
        ...state,
        orderKey: event.order.orderKey,
        order: event.order,
        // Events recorded before detailsFrom existed always carried their own whole snapshot.
        basis:
          event.detailsFrom === undefined
            ? { webhookId: event.webhookId, parserVersion: event.parserVersion }
            : state.basis?.webhookId === event.detailsFrom
              ? state.basis
              : { webhookId: event.detailsFrom, parserVersion: event.parserVersion },
        status: laterStatus(state.status, event.order.status),
        paidAt: state.paidAt ?? event.order.paidAt
      }
    case "PaymentUpdated":
      return patched(state, {
        ...state,
        orderKey: event.orderKey,
        status: laterStatus(state.status, event.to),
        paidAt: state.paidAt ?? event.paidAt
      })
    case "OrderRefunded": {
      const reporter = event.viaSource ?? keySource(event.orderKey)
      const refunds =
        event.refundId !== undefined && event.amountMinor !== undefined
          ? { ...state.refunds, [refundKey(reporter, event.refundId)]: event.amountMinor }
          : state.refunds
      return patched(state, {
        ...state,
        orderKey: event.orderKey,
        refunds,
        refundedMinor: event.refundedMinor,
        fullyRefunded: state.fullyRefunded || event.full,
        status: laterStatus(state.status, refundStatus(event.full, event.refundedMinor))
      })
    }
    case "OrderCancelled":
      return patched(state, {
        ...state,
        orderKey: event.orderKey,
        cancelled: state.cancelled ?? compact({ at: event.cancelledAt, reason: event.reason }),
        status: laterStatus(state.status, "cancelled")
      })
    case "OrderIgnored":
      return {
        ...state,
        orderKey: event.orderKey,
        ignored: state.ignored ?? { reason: event.reason, detail: event.detail }
      }
    default:
      return state
  }
}

export const foldOrder = (events: Iterable<AppEvent>, from: OrderState = initialOrderState): OrderState => {
  let state = from
  for (const event of events) state = evolve(state, event)
  return state
}
