// Batched requests for destinations that take many events in one request but answer for the request
// as a whole: Meta's Conversions API (up to 1,000 events; any error fails the request) and Google's
// Data Manager API (up to 2,000; fast-fail: one invalid event fails the request, nothing is ingested).
// A request refused for something an event may carry is sent again in halves, both halves at once,
// until the event it refuses stands alone: one bad event costs about 2 log2(n) extra requests and
// never holds the others. A refusal that concerns every event (no token, rate limit, a timeout) is
// each item's outcome without splitting: splitting cannot help, and would multiply the load.
// Each item's outcome records the requests it was part of, each as the item saw it (its own event in
// the body), so a batch of 1,000 never records its 1,000-event body 1,000 times.
import { Effect, Either } from "effect"
import type { HttpExchange } from "../../events/dispatch.js"
import { ChannelError, type ChannelResult, type ItemOutcome } from "../Channel.js"

/** What one request's answer means for its items. */
export type RequestVerdict =
  /** Final outcomes, one per item of the request, in its order. */
  | { readonly _tag: "Settled"; readonly outcomes: ReadonlyArray<ItemOutcome> }
  /**
   * Refused for something an event in it may carry: sent again in halves; alone, `error` is the
   * item's outcome. `exchanges[i]` is the request as item i saw it.
   */
  | {
      readonly _tag: "Refused"
      readonly error: ChannelError
      readonly exchanges: ReadonlyArray<ReadonlyArray<HttpExchange>>
    }

/** The error with these exchanges instead of its own. */
export const withExchanges = (error: ChannelError, exchanges: ReadonlyArray<HttpExchange>): ChannelError =>
  new ChannelError({
    channel: error.channel,
    reason: error.reason,
    retryable: error.retryable,
    detail: error.detail,
    status: error.status,
    retryAfterMs: error.retryAfterMs,
    retryAt: error.retryAt,
    outcomeUnknown: error.outcomeUnknown,
    exchanges
  })

/** Keeps the exchanges of earlier steps (token fetch, first attempt, a refused batch) on a later outcome's error. */
export const withPriorExchanges =
  (prior: ReadonlyArray<HttpExchange>) =>
  (error: ChannelError): ChannelError =>
    prior.length === 0 ? error : withExchanges(error, [...prior, ...error.exchanges])

const withPrior = (prior: ReadonlyArray<HttpExchange>, outcome: ItemOutcome): ItemOutcome =>
  prior.length === 0
    ? outcome
    : Either.isRight(outcome)
      ? Either.right({ ...outcome.right, exchanges: [...prior, ...outcome.right.exchanges] })
      : Either.left(withPriorExchanges(prior)(outcome.left))

/** The items in runs of at most `size`, in order. */
export const chunksOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}

/** Requests of one batch in flight at once (chunks, and the two halves of a split). */
const REQUESTS_IN_FLIGHT = 2

/**
 * Sends the items in requests of at most `max` and returns one outcome per item, in order. A Refused
 * request of several items is split in halves, each sent again; a Refused request of one item is that
 * item's error.
 */
export const sendSplitting = <A, R>(
  items: ReadonlyArray<A>,
  max: number,
  request: (items: ReadonlyArray<A>) => Effect.Effect<RequestVerdict, never, R>
): Effect.Effect<ReadonlyArray<ItemOutcome>, never, R> => {
  const go = (
    part: ReadonlyArray<A>,
    prior: ReadonlyArray<ReadonlyArray<HttpExchange>>
  ): Effect.Effect<ReadonlyArray<ItemOutcome>, never, R> =>
    Effect.flatMap(request(part), (verdict) => {
      if (verdict._tag === "Settled") {
        return Effect.succeed(verdict.outcomes.map((outcome, i) => withPrior(prior[i] ?? [], outcome)))
      }
      const seen = part.map((_, i) => [...(prior[i] ?? []), ...(verdict.exchanges[i] ?? [])])
      if (part.length === 1) return Effect.succeed([Either.left(withExchanges(verdict.error, seen[0] ?? []))])
      const mid = Math.ceil(part.length / 2)
      return Effect.map(
        Effect.all([go(part.slice(0, mid), seen.slice(0, mid)), go(part.slice(mid), seen.slice(mid))], {
          concurrency: REQUESTS_IN_FLIGHT
        }),
        ([left, right]) => [...left, ...right]
      )
    })
  return Effect.map(
    Effect.forEach(chunksOf(items, max), (chunk) => go(chunk, []), { concurrency: REQUESTS_IN_FLIGHT }),
    (outcomes) => outcomes.flat()
  )
}

/** An item decided before any request (a skip, a refusal we can predict), or what to send for it. */
export type Decision<P> =
  | { readonly _tag: "Done"; readonly outcome: ItemOutcome }
  | { readonly _tag: "Send"; readonly planned: P }

export const done = (outcome: Effect.Effect<ChannelResult, ChannelError>): Effect.Effect<Decision<never>> =>
  Effect.map(Effect.either(outcome), (o) => ({ _tag: "Done", outcome: o }))

export interface Planned<I, P> {
  readonly input: I
  readonly planned: P
}

/**
 * One outcome per input, in order: `decide` settles what it can without a request; the rest go to
 * `sendGroup` grouped by `key` (one destination and credential per group), groups one after another.
 */
export const sendGrouped = <I, P, R>(
  inputs: ReadonlyArray<I>,
  decide: (input: I) => Effect.Effect<Decision<P>, never, R>,
  key: (input: I) => string,
  sendGroup: (group: ReadonlyArray<Planned<I, P>>) => Effect.Effect<ReadonlyArray<ItemOutcome>, never, R>
): Effect.Effect<ReadonlyArray<ItemOutcome>, never, R> =>
  Effect.gen(function* () {
    const outcomes: Array<ItemOutcome | undefined> = inputs.map(() => undefined)
    const groups = new Map<string, Array<Planned<I, P> & { readonly index: number }>>()
    for (const [index, input] of inputs.entries()) {
      const decision = yield* decide(input)
      if (decision._tag === "Done") {
        outcomes[index] = decision.outcome
        continue
      }
      const k = key(input)
      const group = groups.get(k) ?? []
      group.push({ index, input, planned: decision.planned })
      groups.set(k, group)
    }
    for (const group of groups.values()) {
      const sent = yield* sendGroup(group)
      group.forEach((item, i) => {
        outcomes[item.index] = sent[i]
      })
    }
    const all = outcomes.filter((outcome) => outcome !== undefined)
    if (all.length !== inputs.length) return yield* Effect.dieMessage("a channel returned fewer outcomes than items")
    return all
  })

/** The group key of a target: its id and its whole configuration (one request never mixes two). */
export const targetKey = (target: { readonly id: string }) => `${target.id}\u0000${JSON.stringify(target)}`
