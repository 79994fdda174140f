// The affiliate postback channel: one templated HTTP request per (order, target, kind).
// Consumes the order and a PostbackTarget; emits Delivered (dedupKey = the order key: postbacks have
// no platform dedup, the dispatcher guarantees a single send), Skipped (no click id, no statusChange
// template) or a ChannelError. Fails retryable on transport errors, timeouts, 5xx and 429
// (Retry-After honoured), permanently on 4xx, on a body rule match (TUNE's HTTP 200
// `success=false;`), on configuration problems (unknown variable, missing secret, refused egress)
// and on order values that cannot be placed in the URL without changing where it goes (placement.ts).
// The target's timeout is one deadline for the whole call: the DNS check and the request share it.
// A batch sends its postbacks concurrently over the shared keep-alive agents (egress.ts), at most
// `hostConcurrency` (default 8) in flight to one host of a target; each has its own outcome, and
// its deadline starts when it holds its permit, not while it waits for one.
import { Effect, Redacted } from "effect"
import { Secrets } from "../../../config/Secrets.js"
import type { PostbackTarget } from "../../../events/configSchema.js"
import type { ChannelAdapter, ChannelResult, DispatchInput, ItemOutcome } from "../../Channel.js"
import { ChannelError, singleSend, timeoutOf } from "../../Channel.js"
import { httpCall, retryAfterMs } from "../../http.js"
import { blockPrivateEgress, checkDestination, type Resolve, sharedPinnedAgent } from "./egress.js"
import { renderPostback, secretsNeeded } from "./render.js"
import { judge, successRule } from "./success.js"

const CHANNEL = "postback"
/** Postbacks of one batch in flight to one host of a target, unless the target sets `hostConcurrency`. */
export const DEFAULT_HOST_CONCURRENCY = 8

/** Runs a request under its host's permit. */
type HostLimit = <A, E, R>(host: string, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

const configuration = (detail: string) =>
  new ChannelError({ channel: CHANNEL, reason: "Configuration", retryable: false, detail, exchanges: [] })

/**
 * An order value that would change where the postback goes (a dot segment, an empty segment, a URL
 * too long to send): permanent for this order (the values are the order's), alerted as a rejection.
 */
const unplaceable = (detail: string) =>
  new ChannelError({ channel: CHANNEL, reason: "InvalidPayload", retryable: false, detail, exchanges: [] })

/** Every form a secret can take in what is recorded: raw, URL-encoded, JSON-escaped. */
const secretForms = (value: string) => [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]

const resolveSecrets = (target: PostbackTarget, names: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const secrets = yield* Secrets
    const values = new Map<string, string>()
    for (const name of names) {
      const value = yield* secrets
        .get(`env:${name}`, `postback target ${target.id}`)
        .pipe(Effect.mapError((e) => configuration(e.message)))
      values.set(name, Redacted.value(value))
    }
    return values
  })

const timedOut = (timeoutMs: number, stage: string) =>
  new ChannelError({
    channel: CHANNEL,
    reason: "Timeout",
    retryable: true,
    detail: `no response within ${timeoutMs} ms (the time ran out ${stage})`,
    exchanges: []
  })

const send = Effect.fn("Postback.send")(function* (
  input: DispatchInput<PostbackTarget>,
  resolve: Resolve | undefined,
  limit: HostLimit
) {
  const { target, order, kind, now } = input
  const success = yield* Effect.mapError(successRule(target.success), (problems) => configuration(problems.join("; ")))

  // Skips are decided before secrets are read: an order without a click id is skipped even while a
  // secret is missing.
  const dry = renderPostback(target, order, kind, now)
  if (dry._tag === "Skip") {
    return { _tag: "Skipped", reason: dry.reason, detail: dry.detail, exchanges: [] } satisfies ChannelResult
  }
  if (dry._tag === "Invalid") return yield* configuration(dry.detail)
  if (dry._tag === "Unplaceable") return yield* unplaceable(dry.detail)
  const secrets = yield* resolveSecrets(target, secretsNeeded(target, kind))
  const plan = renderPostback(target, order, kind, now, secrets)
  if (plan._tag === "Unplaceable") return yield* unplaceable(plan.detail)
  if (plan._tag !== "Request") return yield* configuration(plan.detail)
  return yield* limit(hostOf(plan.url), deliver(input, plan, secrets, success, resolve))
})

const hostOf = (url: string) => {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

const deliver = (
  input: DispatchInput<PostbackTarget>,
  plan: Extract<ReturnType<typeof renderPostback>, { readonly _tag: "Request" }>,
  secrets: ReadonlyMap<string, string>,
  success: Effect.Effect.Success<ReturnType<typeof successRule>>,
  resolve: Resolve | undefined
) =>
  Effect.gen(function* () {
    const { target, order, now } = input
    const timeoutMs = timeoutOf(target)
    const deadline = Date.now() + timeoutMs
    const blockPrivate = yield* blockPrivateEgress
    const destination = yield* checkDestination(new URL(plan.url), blockPrivate, resolve).pipe(
      Effect.timeoutTo({
        duration: Math.max(0, deadline - Date.now()),
        onTimeout: () => ({ _tag: "Unresolved" as const, detail: `DNS lookup took longer than ${timeoutMs} ms` }),
        onSuccess: (d) => d
      })
    )
    if (destination._tag === "Refused") return yield* configuration(`egress refused: ${destination.detail}`)
    if (destination._tag === "Unresolved") {
      return yield* new ChannelError({
        channel: CHANNEL,
        reason: "Transport",
        retryable: true,
        detail: destination.detail,
        exchanges: []
      })
    }

    const remainingMs = deadline - Date.now()
    if (remainingMs <= 0) return yield* timedOut(timeoutMs, "resolving the destination")
    const response = yield* httpCall({
      channel: CHANNEL,
      method: plan.method,
      url: plan.url,
      headers: plan.headers,
      body: plan.body,
      timeoutMs: remainingMs,
      budgetMs: timeoutMs,
      redactHeaders: plan.secretHeaders,
      secrets: [...secrets.values()].flatMap(secretForms),
      dispatcher: sharedPinnedAgent(destination.addresses)
    })
    const verdict = judge(success, response.status, response.body)
    if (verdict._tag === "Delivered") {
      return {
        _tag: "Delivered",
        dedupKey: order.orderKey,
        alreadyRecorded: false,
        exchanges: [response.exchange],
        detail: [verdict.detail, ...(plan.notes ?? [])].filter((d) => d !== undefined).join("; ") || undefined
      } satisfies ChannelResult
    }
    return yield* new ChannelError({
      channel: CHANNEL,
      reason: verdict.reason,
      retryable: verdict.retryable,
      detail: verdict.detail,
      status: response.status,
      retryAfterMs: verdict.retryable ? retryAfterMs(response.headers, now.getTime()) : undefined,
      exchanges: [response.exchange]
    })
  })

/**
 * Every postback of the batch at once, each with its own outcome, at most the target's
 * `hostConcurrency` in flight to one host (per batch: the target's `concurrency` caps the batches).
 */
const sendBatch = (inputs: ReadonlyArray<DispatchInput<PostbackTarget>>, resolve: Resolve | undefined) =>
  Effect.suspend(() => {
    const permits = new Map<string, Effect.Semaphore>()
    const limitFor =
      (target: PostbackTarget): HostLimit =>
      (host, effect) => {
        const key = `${target.id} ${host}`
        const semaphore =
          permits.get(key) ?? Effect.unsafeMakeSemaphore(target.hostConcurrency ?? DEFAULT_HOST_CONCURRENCY)
        permits.set(key, semaphore)
        return semaphore.withPermits(1)(effect)
      }
    // Per target, no more postbacks under way than its host limit: a thousand fibers waiting on one
    // semaphore would each be woken at every release.
    const byTarget = new Map<string, Array<{ readonly input: DispatchInput<PostbackTarget>; readonly index: number }>>()
    inputs.forEach((input, index) => {
      const group = byTarget.get(input.target.id) ?? []
      group.push({ input, index })
      byTarget.set(input.target.id, group)
    })
    const outcomes: Array<ItemOutcome> = new Array(inputs.length)
    return Effect.forEach(
      byTarget.values(),
      (group) =>
        Effect.forEach(
          group,
          ({ input, index }) =>
            Effect.map(Effect.either(send(input, resolve, limitFor(input.target))), (outcome) => {
              outcomes[index] = outcome
            }),
          { concurrency: group[0]?.input.target.hostConcurrency ?? DEFAULT_HOST_CONCURRENCY, discard: true }
        ),
      { concurrency: "unbounded", discard: true }
    ).pipe(Effect.as(outcomes))
  }).pipe(Effect.withSpan("Postback.sendBatch"))

/** `resolve` replaces the system DNS lookup (tests: a slow resolver). */
export const makePostbackChannel = (resolve?: Resolve): ChannelAdapter<PostbackTarget> => {
  const batch = (inputs: ReadonlyArray<DispatchInput<PostbackTarget>>) => sendBatch(inputs, resolve)
  return { channel: "postback", supports: ["conversion", "status_change"], send: singleSend(batch), sendBatch: batch }
}

export const PostbackChannel: ChannelAdapter<PostbackTarget> = makePostbackChannel()
