// `api: ads-api`: the Google Ads API through google-ads-api (gRPC): UploadClickConversions with
// partial_failure for conversions, UploadConversionAdjustments (RETRACTION / RESTATEMENT by order_id)
// for refunds. The library owns transport and OAuth (refresh-token credentials only) and exposes no
// host override, so there is no HTTP to record: each call is recorded as a gRPC exchange with the
// request as sent (hashes only, developer token redacted) and the decoded response.
// A batch goes out as one call per target and rpc carrying up to 2,000 rows (ADS_MAX_ROWS), with
// partial_failure: Google answers per row, so nothing is split or resent. An error of the
// partial_failure_error is the outcome of the row its location names (conversions[i] /
// conversion_adjustments[i]); a row without one is delivered; an error that names no row concerns
// every row without an error of its own. A call that throws (auth, quota, transport, a
// GoogleAdsFailure for the request) is each row's error. Each dispatch records the call with only its
// own row in the request and the response (its result, its errors), as the Data Manager batch does.
// Two dispatches of one order id never share a call (Google: DUPLICATE_ORDER_ID, and two adjustments
// of one conversion must go in order): the second goes in a later call.
import { Effect, Either } from "effect"
import type { Hooks } from "google-ads-api"
import type { Secrets } from "../../../../config/Secrets.js"
import type { GoogleAdsTarget } from "../../../../events/configSchema.js"
import type { HttpExchange } from "../../../../events/dispatch.js"
import { ChannelError, type ChannelResult, type DispatchInput, type ItemOutcome } from "../../../Channel.js"
import { RECORDED_BODY_LIMIT, truncateUtf8 } from "../../../http.js"
import { chunksOf, type Decision, done, type Planned, sendGrouped, targetKey } from "../../batch.js"
import { GOOGLE_CHANNEL } from "../oauth.js"
import { conversionFacts, matchData, tooRecentRetryAt } from "../plan.js"
import { loadCredentials, secretValue } from "../secrets.js"
import { settle } from "../settle.js"
import {
  type AdsError,
  type AdsOutcome,
  classifyAdsErrors,
  classifyThrown,
  failureErrors,
  partialFailureErrors
} from "./errors.js"
import {
  ADS_MAX_ROWS,
  type AdsLib,
  type AdsRow,
  adsBatchCall,
  adsDateTime,
  adsTimeZone,
  recordedAdsRequestViews,
  rowsField
} from "./request.js"

export interface AdsApiOptions {
  /** google-ads-api hooks; tests use onServiceStart to capture the request and answer without a network. */
  readonly hooks?: Hooks | undefined
}

/** Calls of one target in flight at once (chunks of more than ADS_MAX_ROWS rows). */
const CALLS_IN_FLIGHT = 2

const configuration = (detail: string) =>
  new ChannelError({ channel: GOOGLE_CHANNEL, reason: "Configuration", retryable: false, detail, exchanges: [] })

// An optional dependency: the production image leaves it out unless built with ADS_API=1 (README, Deploy).
const loadLib = Effect.tryPromise({
  try: (): Promise<AdsLib> => import("google-ads-api"),
  catch: () =>
    configuration(
      "google-ads-api is not installed here (the image includes it only when built with --build-arg ADS_API=1); " +
        "use api: data-manager or rebuild the image"
    )
})

interface Sendable {
  readonly row: AdsRow
  readonly notes: ReadonlyArray<string>
}
type Item = Planned<DispatchInput<GoogleAdsTarget>, Sendable>

/** Unsupported kinds, skips, bad time zones and missing match data are decided without a call. */
const decide = (input: DispatchInput<GoogleAdsTarget>): Effect.Effect<Decision<Sendable>> => {
  const { order, target } = input
  if (input.kind === "status_change") {
    return done(
      Effect.succeed({ _tag: "Skipped", reason: "unsupported", detail: "Google has no status changes", exchanges: [] })
    )
  }
  const facts = conversionFacts(input)
  if (facts._tag !== "Ok") return done(settle(facts))
  const conversion = facts.value
  const timeZone = adsTimeZone(target)
  try {
    adsDateTime(conversion.conversionTime, timeZone)
  } catch {
    return done(Effect.fail(configuration(`timeZone ${timeZone} is not an IANA time zone (e.g. Europe/Berlin)`)))
  }
  let row: AdsRow
  let notes: ReadonlyArray<string>
  if (input.kind === "conversion") {
    const match = matchData(order, target)
    if (match._tag !== "Ok") return done(settle(match))
    row = { kind: "conversion", conversion, match: match.value }
    notes = match.value.notes
  } else {
    row = { kind: input.kind, conversion, adjustedAt: input.now }
    notes = [input.kind === "retraction" ? "RETRACTION" : `RESTATEMENT to ${conversion.value} ${conversion.currency}`]
  }
  // UTC is exact (the offset is explicit), but Google reports conversions by the account's day.
  if (target.timeZone === undefined) notes = [...notes, "timeZone unset: conversion times sent in UTC"]
  return Effect.succeed({ _tag: "Send", planned: { row, notes } })
}

/** One call per target and rpc: conversions and adjustments never share one. */
const groupKey = (input: DispatchInput<GoogleAdsTarget>) =>
  `${targetKey(input.target)}\u0000${input.kind === "conversion" ? "conversion" : "adjustment"}`

/**
 * The group's items in rounds in which an order id appears once, each round in input order: the
 * second dispatch of an order id (a restatement, then a retraction) goes in the next round's call.
 */
const rounds = (group: ReadonlyArray<Item>): Array<Array<{ readonly item: Item; readonly index: number }>> => {
  const result: Array<Array<{ readonly item: Item; readonly index: number }>> = []
  const seen = new Map<string, number>()
  group.forEach((item, index) => {
    const key = item.planned.row.conversion.transactionId
    const round = seen.get(key) ?? 0
    seen.set(key, round + 1)
    const bucket = result[round] ?? []
    bucket.push({ item, index })
    result[round] = bucket
  })
  return result
}

/** The response as one row records it: its own result and its own errors, the raw failure decoded. */
const recordedResponse = (response: unknown, index: number, size: number, errors: ReadonlyArray<AdsError>) => {
  const { partial_failure_error: _raw, ...rest } = (response ?? {}) as Record<string, unknown>
  const results = rest.results
  const own =
    size > 1 && Array.isArray(results) ? { ...rest, results: index < results.length ? [results[index]] : [] } : rest
  const body = JSON.stringify({ ...own, ...(errors.length > 0 ? { partial_failure_errors: errors } : {}) })
  const { text, truncated } = truncateUtf8(body, RECORDED_BODY_LIMIT)
  return { status: 200, headers: {}, body: text, truncated }
}

/** The credentials and client of a target's calls; a failure here is every item's error. */
const customerOf = (target: GoogleAdsTarget, options: AdsApiOptions) =>
  Effect.gen(function* () {
    const lib = yield* loadLib
    if (target.developerToken === undefined) {
      return yield* configuration(`target ${target.id}: api: ads-api needs developerToken: env:NAME`)
    }
    const developerToken = yield* secretValue(target.developerToken, target, "developerToken")
    const credentials = yield* loadCredentials(target)
    if (credentials.type === "service_account") {
      return yield* configuration(
        "google-ads-api authenticates with a refresh token only: give ads-api targets an authorized-user credential, or use api: data-manager"
      )
    }
    // Built per group on purpose: these are thin wrappers. google-ads-api caches the gRPC service
    // client, and with it the OAuth client holding the access token, per (service, client_id,
    // refresh_token) process-wide for 10 minutes, so calls share one token refresh (pinned by
    // adsApiClients.test.ts).
    const customer = new lib.GoogleAdsApi({
      client_id: credentials.client_id,
      client_secret: credentials.client_secret,
      developer_token: developerToken
    }).Customer(
      {
        customer_id: target.customerId,
        refresh_token: credentials.refresh_token,
        ...(target.loginCustomerId === undefined ? {} : { login_customer_id: target.loginCustomerId })
      },
      options.hooks
    )
    return { lib, customer }
  })

type Customer = Effect.Effect.Success<ReturnType<typeof customerOf>>

/** One call of up to ADS_MAX_ROWS rows of one target and rpc: one outcome per item, in order. */
const call = (
  { lib, customer }: Customer,
  target: GoogleAdsTarget,
  items: ReadonlyArray<Item>
): Effect.Effect<ReadonlyArray<ItemOutcome>> =>
  Effect.gen(function* () {
    const adsCall = adsBatchCall(
      lib,
      target,
      items.map((item) => item.planned.row)
    )
    const size = items.length
    const started = performance.now()
    const outcome = yield* Effect.tryPromise({
      try: (): Promise<unknown> =>
        adsCall.rpc === "UploadClickConversions"
          ? customer.conversionUploads.uploadClickConversions(adsCall.request)
          : customer.conversionAdjustmentUploads.uploadConversionAdjustments(adsCall.request),
      catch: (thrown) => thrown
    }).pipe(Effect.either)
    const durationMs = Math.round(performance.now() - started)
    const requests = recordedAdsRequestViews(target, adsCall)

    const thrownErrors =
      Either.isLeft(outcome) && outcome.left instanceof lib.errors.GoogleAdsFailure
        ? failureErrors(lib, outcome.left)
        : undefined
    const rowErrors = Either.isRight(outcome) ? partialFailureErrors(lib, outcome.right) : []
    // An error that names no row of this call (or an index out of range) cannot be told apart: it
    // concerns every row that has no error of its own.
    const located = (e: AdsError) => e.index !== undefined && e.index >= 0 && e.index < size
    const unlocated = rowErrors.filter((e) => !located(e))
    const errorsOf = (i: number): ReadonlyArray<AdsError> => {
      if (thrownErrors !== undefined) return thrownErrors
      const own = rowErrors.filter((e) => e.index === i)
      return own.length > 0 ? own : unlocated
    }
    const thrownMessage =
      Either.isLeft(outcome) && thrownErrors === undefined
        ? String((outcome.left as Error)?.message ?? outcome.left)
        : undefined

    return items.map(({ input, planned }, i): ItemOutcome => {
      const { conversion } = planned.row
      const errors = errorsOf(i)
      const exchange: HttpExchange = {
        request: requests[i] ?? requests[0]!,
        ...(Either.isRight(outcome) ? { response: recordedResponse(outcome.right, i, size, errors) } : {}),
        durationMs,
        ...(thrownErrors !== undefined
          ? { error: JSON.stringify(thrownErrors) }
          : thrownMessage !== undefined
            ? { error: thrownMessage }
            : {})
      }
      const exchanges = [exchange]
      const batchNote = size === 1 ? [] : [`${rowsField(adsCall.rpc)}[${i}] of ${size} in one ${adsCall.rpc} call`]
      const classified: AdsOutcome | undefined =
        Either.isLeft(outcome) && thrownErrors === undefined
          ? classifyThrown(outcome.left)
          : errors.length > 0
            ? classifyAdsErrors(errors, {
                now: input.now,
                clickRetryAt: tooRecentRetryAt(conversion.clickBound, input.now),
                conversionRetryAt: new Date(
                  Math.max(
                    conversion.conversionTime.getTime() + 24 * 60 * 60 * 1000,
                    input.now.getTime() + 60 * 60 * 1000
                  )
                )
              })
            : undefined

      // A dry run stored nothing: recorded as a skip, so the dispatch is sent for real once
      // validateOnly is off. A duplicate answer still means Google has the conversion (from an
      // earlier real upload).
      if (classified === undefined && target.validateOnly === true) {
        return Either.right({
          _tag: "Skipped",
          reason: "validated",
          detail: [
            "validate_only: Google checked the request and uploaded nothing",
            ...planned.notes,
            ...batchNote
          ].join("; "),
          exchanges
        } satisfies ChannelResult)
      }
      if (classified === undefined || classified._tag === "AlreadyRecorded") {
        return Either.right({
          _tag: "Delivered",
          dedupKey: conversion.transactionId,
          alreadyRecorded: classified !== undefined,
          exchanges,
          detail: [...(classified === undefined ? [] : [classified.detail]), ...planned.notes, ...batchNote].join("; ")
        } satisfies ChannelResult)
      }
      return Either.left(
        new ChannelError({
          channel: GOOGLE_CHANNEL,
          reason: classified.reason,
          retryable: classified.retryable,
          detail: [classified.detail, ...batchNote].join("; "),
          retryAt: classified.retryAt,
          retryAfterMs: classified.retryAfterMs,
          exchanges
        })
      )
    })
  })

/** One target's items of one rpc: the client built once, calls of up to ADS_MAX_ROWS rows. */
const sendGroup = (options: AdsApiOptions) => (group: ReadonlyArray<Item>) =>
  Effect.gen(function* () {
    const target = (group[0] as Item).input.target
    const client = yield* Effect.either(customerOf(target, options))
    if (Either.isLeft(client)) return group.map((): ItemOutcome => Either.left(client.left))
    const outcomes: Array<ItemOutcome> = new Array(group.length)
    // Rounds one after another (a later round holds a later dispatch of an order id of an earlier one).
    for (const round of rounds(group)) {
      const chunks = chunksOf(round, ADS_MAX_ROWS)
      const sent = yield* Effect.forEach(
        chunks,
        (chunk) =>
          call(
            client.right,
            target,
            chunk.map(({ item }) => item)
          ),
        { concurrency: CALLS_IN_FLIGHT }
      )
      chunks.forEach((chunk, c) => {
        chunk.forEach(({ index }, i) => {
          outcomes[index] = sent[c]?.[i] as ItemOutcome
        })
      })
    }
    return outcomes
  })

/** ads-api dispatches, one outcome per input in order. */
export const sendAdsApiBatch = (
  inputs: ReadonlyArray<DispatchInput<GoogleAdsTarget>>,
  options: AdsApiOptions
): Effect.Effect<ReadonlyArray<ItemOutcome>, never, Secrets> =>
  sendGrouped(inputs, decide, groupKey, sendGroup(options)).pipe(Effect.withSpan("GoogleAds.adsApi"))
