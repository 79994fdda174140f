// Turns a planning outcome that stops the dispatch into the adapter's answer.
import { Effect } from "effect"
import { ChannelError, type ChannelResult } from "../../Channel.js"
import { GOOGLE_CHANNEL } from "./oauth.js"
import type { Outcome } from "./plan.js"

/** Skip -> Skipped result, Fail -> ChannelError; Ok continues. */
export const settle = <A>(outcome: Exclude<Outcome<A>, { _tag: "Ok" }>): Effect.Effect<ChannelResult, ChannelError> =>
  outcome._tag === "Skip"
    ? Effect.succeed({ _tag: "Skipped", reason: outcome.reason, detail: outcome.detail, exchanges: [] })
    : Effect.fail(
        new ChannelError({
          channel: GOOGLE_CHANNEL,
          reason: outcome.reason,
          retryable: outcome.retryable,
          detail: outcome.detail,
          retryAt: outcome.retryAt,
          exchanges: []
        })
      )
