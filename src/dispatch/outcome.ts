// What one attempt's result records, pure: the DispatchAttempted event with its exchanges, then
// DispatchSucceeded / DispatchSkipped / DispatchFailed (with the next attempt) / DispatchDeadLettered,
// following the retry decision for failures.
import { Either } from "effect"
import type { DispatchKind } from "../events/dispatch.js"
import type { AppEvent } from "../events/Events.js"
import { heldDetail } from "./ambiguity.js"
import type { ChannelError, ChannelResult } from "./Channel.js"
import type { RetryDecision } from "./retry.js"

export interface AttemptContext {
  readonly orderKey: string
  readonly targetId: string
  readonly kind: DispatchKind
  readonly channel: string
  readonly attempt: number
  readonly durationMs: number
  readonly trigger: "scheduled" | "retry" | "operator"
  /** This attempt re-sends one whose outcome was unknown. */
  readonly resendOf?: number | undefined
  /**
   * The destination cannot take a resend of this attempt (ambiguity.ts): a failure whose outcome is
   * unknown is held, with this sentence, instead of retried.
   */
  readonly holdUnknown?: string | undefined
}

export type AttemptOutcome = "succeeded" | "skipped" | "retrying" | "failed" | "dead_lettered" | "held"

export interface AttemptRecord {
  readonly outcome: AttemptOutcome
  readonly events: ReadonlyArray<AppEvent>
  /** When to try again (a retry job at that time). */
  readonly retryAt?: Date | undefined
}

export const attemptRecord = (
  ctx: AttemptContext,
  result: Either.Either<ChannelResult, ChannelError>,
  decide: (error: ChannelError) => RetryDecision
): AttemptRecord => {
  const { orderKey, targetId, kind, attempt } = ctx
  const exchanges = Either.isRight(result) ? result.right.exchanges : result.left.exchanges
  const attempted: AppEvent = {
    _tag: "DispatchAttempted",
    orderKey,
    targetId,
    kind,
    attempt,
    channel: ctx.channel,
    exchanges,
    durationMs: ctx.durationMs,
    trigger: ctx.trigger,
    ...(ctx.resendOf === undefined ? {} : { resendOf: ctx.resendOf })
  }
  const ref = { orderKey, targetId, kind, attempt }
  if (Either.isRight(result)) {
    const r = result.right
    return r._tag === "Delivered"
      ? {
          outcome: "succeeded",
          events: [
            attempted,
            {
              _tag: "DispatchSucceeded",
              ...ref,
              dedupKey: r.dedupKey,
              alreadyRecorded: r.alreadyRecorded,
              ...(r.detail ? { detail: r.detail } : {})
            }
          ]
        }
      : {
          outcome: "skipped",
          // A skip decided before any request records no attempt.
          events: [
            ...(exchanges.length > 0 ? [attempted] : []),
            { _tag: "DispatchSkipped", orderKey, targetId, kind, reason: r.reason, detail: r.detail }
          ]
        }
  }
  const error = result.left
  if (error.outcomeUnknown === true && ctx.holdUnknown !== undefined) {
    return {
      outcome: "held",
      events: [
        attempted,
        {
          _tag: "DispatchHeld",
          orderKey,
          targetId,
          kind,
          attempt,
          channel: ctx.channel,
          cause: "no_response",
          detail: heldDetail("no_response", attempt, `${ctx.holdUnknown} (${error.reason}: ${error.detail})`)
        }
      ]
    }
  }
  const decision = decide(error)
  const failed = (nextAttemptAt?: Date): AppEvent => ({
    _tag: "DispatchFailed",
    ...ref,
    reason: error.reason,
    retryable: error.retryable,
    message: error.detail,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(nextAttemptAt ? { nextAttemptAt: nextAttemptAt.toISOString() } : {}),
    ...(error.outcomeUnknown === true ? { outcomeUnknown: true } : {})
  })
  switch (decision._tag) {
    case "Retry":
      return { outcome: "retrying", events: [attempted, failed(decision.at)], retryAt: decision.at }
    case "Stop":
      return { outcome: "failed", events: [attempted, failed()] }
    case "DeadLetter":
      return {
        outcome: "dead_lettered",
        events: [
          attempted,
          failed(),
          {
            _tag: "DispatchDeadLettered",
            orderKey,
            targetId,
            kind,
            attempts: attempt,
            reason: error.reason,
            message: error.detail,
            cause: decision.cause,
            detail: decision.reason
          }
        ]
      }
  }
}
