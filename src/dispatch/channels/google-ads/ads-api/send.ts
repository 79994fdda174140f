// `api: ads-api`: the Google Ads API through google-ads-api (gRPC): UploadClickConversions with
// partial_failure for conversions, UploadConversionAdjustments (RETRACTION / RESTATEMENT by order_id)
// for refunds. The library owns transport and OAuth (refresh-token credentials only) and exposes no
// host override, so there is no HTTP to record: each call is recorded as a gRPC exchange with the
// request as sent (hashes only, developer token redacted) and the decoded response.
import { Effect, Either } from "effect"
import type { Hooks } from "google-ads-api"
import type { GoogleAdsTarget } from "../../../../events/configSchema.js"
import type { HttpExchange } from "../../../../events/dispatch.js"
import { ChannelError, type ChannelResult, type DispatchInput } from "../../../Channel.js"
import { RECORDED_BODY_LIMIT, truncateUtf8 } from "../../../http.js"
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
import { type AdsCall, type AdsLib, adsCall, adsDateTime, adsTimeZone, recordedAdsRequest } from "./request.js"

export interface AdsApiOptions {
  /** google-ads-api hooks; tests use onServiceStart to capture the request and answer without a network. */
  readonly hooks?: Hooks | undefined
}

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

const recordedResponse = (response: unknown, errors: ReadonlyArray<AdsError>) => {
  const { partial_failure_error: _raw, ...rest } = (response ?? {}) as Record<string, unknown>
  const body = JSON.stringify({ ...rest, ...(errors.length > 0 ? { partial_failure_errors: errors } : {}) })
  const { text, truncated } = truncateUtf8(body, RECORDED_BODY_LIMIT)
  return { status: 200, headers: {}, body: text, truncated }
}

export const sendAdsApi = Effect.fn("GoogleAds.adsApi")(function* (
  input: DispatchInput<GoogleAdsTarget>,
  options: AdsApiOptions
) {
  const { order, target } = input
  if (input.kind === "status_change") {
    return {
      _tag: "Skipped",
      reason: "unsupported",
      detail: "Google has no status changes",
      exchanges: []
    } satisfies ChannelResult
  }
  const facts = conversionFacts(input)
  if (facts._tag !== "Ok") return yield* settle(facts)
  const conversion = facts.value
  const timeZone = adsTimeZone(target)
  yield* Effect.try({
    try: () => adsDateTime(conversion.conversionTime, timeZone),
    catch: () => configuration(`timeZone ${timeZone} is not an IANA time zone (e.g. Europe/Berlin)`)
  })
  const lib = yield* loadLib
  let call: AdsCall
  let notes: ReadonlyArray<string>
  if (input.kind === "conversion") {
    const match = matchData(order, target)
    if (match._tag !== "Ok") return yield* settle(match)
    call = adsCall(lib, target, conversion, input.now, { kind: "conversion", match: match.value })
    notes = match.value.notes
  } else {
    call = adsCall(lib, target, conversion, input.now, { kind: input.kind })
    notes = [input.kind === "retraction" ? "RETRACTION" : `RESTATEMENT to ${conversion.value} ${conversion.currency}`]
  }
  // UTC is exact (the offset is explicit), but Google reports conversions by the account's day.
  if (target.timeZone === undefined) notes = [...notes, "timeZone unset: conversion times sent in UTC"]

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
  // Built per send on purpose: these are thin wrappers. google-ads-api caches the gRPC service client,
  // and with it the OAuth client holding the access token, per (service, client_id, refresh_token)
  // process-wide for 10 minutes, so sends share one token refresh (pinned by adsApiClients.test.ts).
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

  const started = performance.now()
  const outcome = yield* Effect.tryPromise({
    try: (): Promise<unknown> =>
      call.rpc === "UploadClickConversions"
        ? customer.conversionUploads.uploadClickConversions(call.request)
        : customer.conversionAdjustmentUploads.uploadConversionAdjustments(call.request),
    catch: (thrown) => thrown
  }).pipe(Effect.either)
  const durationMs = Math.round(performance.now() - started)

  const thrownErrors =
    Either.isLeft(outcome) && outcome.left instanceof lib.errors.GoogleAdsFailure
      ? failureErrors(lib, outcome.left)
      : undefined
  const rowErrors = Either.isRight(outcome) ? partialFailureErrors(lib, outcome.right) : []
  const exchange: HttpExchange = {
    request: recordedAdsRequest(target, call),
    ...(Either.isRight(outcome) ? { response: recordedResponse(outcome.right, rowErrors) } : {}),
    durationMs,
    ...(Either.isLeft(outcome)
      ? {
          error: thrownErrors ? JSON.stringify(thrownErrors) : String((outcome.left as Error)?.message ?? outcome.left)
        }
      : {})
  }
  const exchanges = [exchange]
  const errors = thrownErrors ?? rowErrors
  const classified: AdsOutcome | undefined =
    Either.isLeft(outcome) && thrownErrors === undefined
      ? classifyThrown(outcome.left)
      : errors.length > 0
        ? classifyAdsErrors(errors, {
            now: input.now,
            clickRetryAt: tooRecentRetryAt(conversion.clickBound, input.now),
            conversionRetryAt: new Date(
              Math.max(conversion.conversionTime.getTime() + 24 * 60 * 60 * 1000, input.now.getTime() + 60 * 60 * 1000)
            )
          })
        : undefined

  // A dry run stored nothing: recorded as a skip, so the dispatch is sent for real once validateOnly
  // is off. A duplicate answer still means Google has the conversion (from an earlier real upload).
  if (classified === undefined && target.validateOnly === true) {
    return {
      _tag: "Skipped",
      reason: "validated",
      detail: ["validate_only: Google checked the request and uploaded nothing", ...notes].join("; "),
      exchanges
    } satisfies ChannelResult
  }
  if (classified === undefined || classified._tag === "AlreadyRecorded") {
    return {
      _tag: "Delivered",
      dedupKey: conversion.transactionId,
      alreadyRecorded: classified !== undefined,
      exchanges,
      detail: [...(classified === undefined ? [] : [classified.detail]), ...notes].join("; ")
    } satisfies ChannelResult
  }
  return yield* new ChannelError({
    channel: GOOGLE_CHANNEL,
    reason: classified.reason,
    retryable: classified.retryable,
    detail: classified.detail,
    retryAt: classified.retryAt,
    retryAfterMs: classified.retryAfterMs,
    exchanges
  })
})
