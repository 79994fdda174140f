// What to do with an attempt whose outcome is unknown, pure. Two ways to get one: an intent with no
// outcome after it (the runner died or paused past its lease: outcome_lost), or a request that went
// out and got no answer (a timeout, a connection lost after sending: no_response).
//
// A destination that deduplicates on our key (Meta event_id within 48 h, Google's order id for good)
// gets it again: the resend is harmless, counted (s2s_dispatch_ambiguous_total) and marked on the
// attempt (resendOf). A postback carries no such key: a second request can be a second commission,
// so the target's onAmbiguous decides, `hold` unless it says `resend`. A held dispatch sends nothing
// until an operator runs `s2s redispatch --order K --target T --yes` (recorded with the actor).
import type { Target } from "../events/configSchema.js"
import type { DispatchHeld } from "../events/dispatch.js"
import type { ChannelAdapter } from "./Channel.js"

export type AmbiguityVerdict =
  | { readonly _tag: "Resend"; readonly because: "deduplicated" | "configured" }
  | { readonly _tag: "Hold"; readonly because: string }

const hours = (ms: number) => `${Math.round(ms / 3_600_000)} h`

/** `sentAt`: when the attempt whose outcome is unknown started. */
export const onUnknownOutcome = (
  target: Target,
  adapter: Pick<ChannelAdapter, "deduplicates">,
  sentAt: Date,
  now: Date
): AmbiguityVerdict => {
  const dedup = adapter.deduplicates
  if (dedup !== undefined) {
    if (now.getTime() - sentAt.getTime() < dedup.withinMs) return { _tag: "Resend", because: "deduplicated" }
    return {
      _tag: "Hold",
      because: `the attempt started more than ${hours(dedup.withinMs)} ago, past ${target.channel}'s deduplication window, so a resend could count twice`
    }
  }
  if (target.channel === "postback" && target.onAmbiguous === "resend") return { _tag: "Resend", because: "configured" }
  return {
    _tag: "Hold",
    because: "postbacks carry no deduplication key, so a resend could count twice (onAmbiguous: hold)"
  }
}

export type HeldCause = (typeof DispatchHeld.Type)["cause"]

export const heldDetail = (cause: HeldCause, attempt: number, because: string) =>
  `${
    cause === "outcome_lost"
      ? `attempt ${attempt} was being sent when its worker stopped (crash, or a pause past its lease), so whether the partner got it is unknown`
      : `attempt ${attempt} was sent and no answer came, so whether the partner got it is unknown`
  }; not sent again: ${because}`
