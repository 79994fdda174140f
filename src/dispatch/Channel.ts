// The port every destination implements. The dispatcher hands an adapter one (order, target, kind)
// and gets back either a delivery, a reasoned skip, or a ChannelError that says whether to retry.
// Adapters never append events or enqueue jobs: the dispatcher records what they return.
import { Context, Data, Effect, type Either } from "effect"
import type { Secrets } from "../config/Secrets.js"
import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import { durationMillis, type Target } from "../events/configSchema.js"
import type { DispatchKind, DispatchSkipped, FailureReason, HttpExchange } from "../events/dispatch.js"

/**
 * How long one adapter call may take when the target sets no `timeout`: the whole call (DNS check,
 * token exchange, request and response) shares this one deadline. The dispatcher's guard allows a
 * little more (DISPATCH_GUARD_GRACE) so an adapter's own, better-described timeout wins.
 */
export const DEFAULT_TIMEOUT_MS = 10_000

export const timeoutOf = (target: Target): number =>
  target.timeout === undefined ? DEFAULT_TIMEOUT_MS : durationMillis(target.timeout)

export interface DispatchInput<T extends Target = Target> {
  /** The order as it stands now (status, refundedMinor, value). */
  readonly order: CanonicalOrder
  readonly target: T
  readonly kind: DispatchKind
  /** Restatement: the new conversion value in minor units. */
  readonly valueMinor?: number | undefined
  /** 1 for the first attempt of this (order, target, kind). */
  readonly attempt: number
  readonly now: Date
  /** When the conversion itself was delivered (for adjustments). */
  readonly conversionSentAt?: Date | undefined
  /**
   * Query parameters the configuration names as click ids, kept (beside the built-in allow-list)
   * in URLs sent to partners (lib/urlPrivacy.ts); everything else is stripped.
   */
  readonly urlParameters?: ReadonlySet<string> | undefined
}

export type SkipReason = (typeof DispatchSkipped.Type)["reason"]

export type ChannelResult =
  | {
      readonly _tag: "Delivered"
      /** What the destination deduplicates on (Meta event_id, Google transaction id, ...). */
      readonly dedupKey: string
      /** The destination already had it (ORDER_ID_ALREADY_IN_USE, ...): success, recorded earlier. */
      readonly alreadyRecorded: boolean
      readonly exchanges: ReadonlyArray<HttpExchange>
      readonly detail?: string | undefined
    }
  | {
      readonly _tag: "Skipped"
      readonly reason: SkipReason
      readonly detail: string
      readonly exchanges: ReadonlyArray<HttpExchange>
    }

export class ChannelError extends Data.TaggedError("ChannelError")<{
  readonly channel: string
  readonly reason: FailureReason
  readonly retryable: boolean
  /** Human sentence, computed by the adapter from the response; never contains secrets. */
  readonly detail: string
  readonly status?: number | undefined
  /** Server-requested delay (Retry-After) in milliseconds. */
  readonly retryAfterMs?: number | undefined
  /** Earliest time a retry can succeed (e.g. Google TOO_RECENT_EVENT: click time + 6 h). */
  readonly retryAt?: Date | undefined
  /**
   * The request may have reached the destination although no answer came (a timeout once the request
   * could be on its way, a connection lost after sending): a resend may be a duplicate (ambiguity.ts).
   * Errors before anything was sent (connection refused, DNS, configuration) leave it unset.
   */
  readonly outcomeUnknown?: boolean | undefined
  readonly exchanges: ReadonlyArray<HttpExchange>
}> {
  override get message() {
    return `${this.channel}: ${this.reason}${this.status === undefined ? "" : ` (HTTP ${this.status})`}: ${this.detail}`
  }
}

export interface ChannelAdapter<T extends Target = Target> {
  readonly channel: T["channel"]
  /** Kinds this channel can send; the others are skipped as "unsupported". */
  readonly supports: ReadonlyArray<DispatchKind>
  /**
   * The destination deduplicates a resend on our key (Meta event_id, Google transaction id) for this
   * long after the first send, so an attempt whose outcome is unknown may be sent again. Without it
   * (postbacks) the target's onAmbiguous decides: resend, or hold for an operator.
   */
  readonly deduplicates?: { readonly withinMs: number } | undefined
  readonly send: (input: DispatchInput<T>) => Effect.Effect<ChannelResult, ChannelError, Secrets>
  /**
   * Many dispatches at once (one request per destination batch where the destination takes one):
   * one outcome per input, in the order of the inputs. It never fails as a whole: an error that
   * concerns every item (no token, a timeout) is each item's error, and one refused event never
   * decides the others' outcomes. The real adapters implement `send` as `sendBatch` of one
   * (`singleSend`); an adapter without it is sent item by item (`sendMany`).
   */
  readonly sendBatch?:
    | ((inputs: ReadonlyArray<DispatchInput<T>>) => Effect.Effect<ReadonlyArray<ItemOutcome>, never, Secrets>)
    | undefined
}

/** One item's own outcome in a batch. */
export type ItemOutcome = Either.Either<ChannelResult, ChannelError>

/** The single send as a batch of one: one code path for both. */
export const singleSend =
  <T extends Target>(sendBatch: NonNullable<ChannelAdapter<T>["sendBatch"]>) =>
  (input: DispatchInput<T>): Effect.Effect<ChannelResult, ChannelError, Secrets> =>
    Effect.flatMap(sendBatch([input]), (outcomes) => {
      const outcome = outcomes[0]
      return outcome === undefined ? Effect.dieMessage("sendBatch returned no outcome for its one input") : outcome
    })

/** How many single sends run at once for an adapter without sendBatch. */
const SEND_MANY_CONCURRENCY = 8

/** Sends many through an adapter: its sendBatch, else its single send per item (8 at a time). */
export const sendMany = <T extends Target>(
  adapter: ChannelAdapter<T>,
  inputs: ReadonlyArray<DispatchInput<T>>
): Effect.Effect<ReadonlyArray<ItemOutcome>, never, Secrets> =>
  adapter.sendBatch === undefined
    ? Effect.forEach(inputs, (input) => Effect.either(adapter.send(input)), { concurrency: SEND_MANY_CONCURRENCY })
    : adapter.sendBatch(inputs)

/** The registry: `channel:` in config -> adapter. */
export class Channels extends Context.Tag("app/dispatch/Channels")<
  Channels,
  { readonly get: (channel: Target["channel"]) => ChannelAdapter | undefined }
>() {}
