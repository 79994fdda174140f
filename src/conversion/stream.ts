// One order stream folded once: the order (normalization facts, order.ts) and where each of its
// dispatches stands (dispatch.ts), from the same events. The normalization job decides and plans on
// it, the dispatcher sends from it, and the operations (replan, redispatch, import) preview with it,
// so they all read an order the same way. Pure.
import type { AppEvent } from "../events/Events.js"
import { type DispatchState, emptyDispatchState, evolveDispatch } from "./dispatch.js"
import { evolve, initialOrderState, type OrderState } from "./order.js"

export interface ConversionState {
  readonly order: OrderState
  readonly dispatch: DispatchState
}

export const initialConversionState: ConversionState = { order: initialOrderState, dispatch: emptyDispatchState }

/** An event as the store recorded it: `recordedAt` dates the dispatch attempts and successes. */
export interface StreamEvent {
  readonly event: AppEvent
  readonly recordedAt: Date
}

export const evolveConversion = (state: ConversionState, e: StreamEvent): ConversionState => ({
  order: evolve(state.order, e.event),
  dispatch: evolveDispatch(state.dispatch, e.event, e.recordedAt.toISOString())
})

export const foldConversion = (
  events: Iterable<StreamEvent>,
  from: ConversionState = initialConversionState
): ConversionState => {
  let state = from
  for (const e of events) state = evolveConversion(state, e)
  return state
}
