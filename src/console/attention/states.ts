// The dispatch states (dispatch/state.ts DispatchStatus) that need an operator: each one lists on the
// needs-attention page with a re-dispatch (dry run first) for operate tokens. A new terminal state is
// one more entry here, as long as the re-dispatch API selects it (operations/request.ts
// RedispatchStates).
import type { DispatchStatus } from "../../conversion/dispatch.js"
import type { RedispatchState } from "../../operations/request.js"

export interface AttentionState {
  readonly status: DispatchStatus
  /** The re-dispatch `state` filter that selects it. */
  readonly redispatch: RedispatchState
  readonly label: string
}

export const ATTENTION_STATES: ReadonlyArray<AttentionState> = [
  // An attempt whose outcome is unknown to a partner that cannot deduplicate (Ambiguous sends in the
  // README): the operator asks the partner, then re-dispatches only if it does not have it.
  { status: "held", redispatch: "held", label: "outcome unknown: ask the partner before sending again" },
  { status: "dead_lettered", redispatch: "dead_lettered", label: "given up after retries" },
  { status: "failed", redispatch: "failed", label: "rejected by the destination" }
]
