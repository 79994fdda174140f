// The dispatch states (dispatch/state.ts DispatchStatus) that need an operator: each one lists on the
// needs-attention page with a re-dispatch (dry run first) for operate tokens. A new terminal state is
// one more entry here, as long as the re-dispatch API selects it (operations/request.ts
// RedispatchStates).
import type { DispatchStatus } from "../../dispatch/state.js"
import type { RedispatchState } from "../../operations/request.js"

export interface AttentionState {
  readonly status: DispatchStatus
  /** The re-dispatch `state` filter that selects it. */
  readonly redispatch: RedispatchState
  readonly label: string
}

export const ATTENTION_STATES: ReadonlyArray<AttentionState> = [
  { status: "dead_lettered", redispatch: "dead_lettered", label: "given up after retries" },
  { status: "failed", redispatch: "failed", label: "rejected by the destination" }
]
