// `api: data-manager`: POST {GOOGLE_DATA_MANAGER_URL}/v1/events:ingest with a Bearer token from the
// adapter's token cache. Conversions and adjustments: a repeated transactionId with a new value is the
// documented adjustment (the value is overwritten, the conversion count is not). The Data Manager API
// has no retraction, so a full refund restates the value to 0: the conversion stays counted once, but
// its revenue is gone (only `api: ads-api` can RETRACT the count too). validateOnly requests are
// recorded as Skipped "validated": nothing was ingested, so turning validateOnly off sends them.
import { Config, Effect, Either, Schema } from "effect"
import type { GoogleAdsTarget } from "../../../../config/schema.js"
import type { HttpExchange } from "../../../../events/dispatch.js"
import { parseJson } from "../../../../lib/json.js"
import { ChannelError, type ChannelResult, type DispatchInput, timeoutOf } from "../../../Channel.js"
import { httpCall, retryAfterMs } from "../../../http.js"
import { DATA_MANAGER_SCOPE, GOOGLE_CHANNEL, type GoogleTokens } from "../oauth.js"
import { CLICK_MATURITY_MS, conversionFacts, matchData, tooRecentRetryAt } from "../plan.js"
import { loadCredentials, withPriorExchanges } from "../secrets.js"
import { settle } from "../settle.js"
import { classifyDataManager } from "./errors.js"
import { buildIngestRequest } from "./request.js"
import { IngestEventsResponse } from "./wire.js"

export const DEFAULT_DATA_MANAGER_URL = "https://datamanager.googleapis.com"

const baseUrl = Config.string("GOOGLE_DATA_MANAGER_URL").pipe(Config.withDefault(DEFAULT_DATA_MANAGER_URL))

export const sendDataManager = Effect.fn("GoogleAds.dataManager")(function* (
  input: DispatchInput<GoogleAdsTarget>,
  tokens: GoogleTokens
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
  // Skips and configuration errors first: waiting 6 hours for an order that can never be sent only
  // delays the alert about it.
  const match = matchData(order, target)
  if (match._tag !== "Ok") return yield* settle(match)
  // The Data Manager API accepts a too-recent click and drops it hours later (diagnostics only), so
  // the 6-hour rule is enforced here, against the latest moment the click can have happened. The rule
  // is about the click (TOO_RECENT_EVENT / TOO_RECENT_CLICK): without a click id there is nothing to
  // wait for.
  if (match.value.click !== undefined && input.now.getTime() < conversion.clickBound.getTime() + CLICK_MATURITY_MS) {
    const retryAt = tooRecentRetryAt(conversion.clickBound, input.now)
    return yield* settle({
      _tag: "Fail",
      reason: "TooRecent",
      retryable: true,
      retryAt,
      detail: `Google attributes a click only 6 hours after it happened; order placed ${order.placedAt}, retry at ${retryAt.toISOString()}`
    })
  }
  const request = buildIngestRequest(target, conversion, match.value)
  const credentials = yield* loadCredentials(target)
  const url = `${(yield* Effect.orDie(baseUrl)).replace(/\/+$/, "")}/v1/events:ingest`
  const timeoutMs = timeoutOf(target)
  const exchanges: Array<HttpExchange> = []
  const attempt = (fresh: boolean) =>
    Effect.gen(function* () {
      if (fresh) yield* tokens.invalidate(credentials, DATA_MANAGER_SCOPE)
      const access = yield* tokens
        .get(credentials, DATA_MANAGER_SCOPE)
        .pipe(Effect.mapError(withPriorExchanges(exchanges)))
      exchanges.push(...access.exchanges)
      const response = yield* httpCall({
        channel: GOOGLE_CHANNEL,
        method: "POST",
        url,
        headers: { authorization: `Bearer ${access.token}`, "content-type": "application/json" },
        body: JSON.stringify(request),
        timeoutMs,
        secrets: [access.token]
      }).pipe(Effect.mapError(withPriorExchanges(exchanges)))
      exchanges.push(response.exchange)
      return { response, cached: access.cached }
    })

  let { response, cached } = yield* attempt(false)
  // A cached token can be revoked before it expires: one retry with a fresh token.
  if (response.status === 401 && cached) ({ response, cached } = yield* attempt(true))
  if (response.status === 401) yield* tokens.invalidate(credentials, DATA_MANAGER_SCOPE)

  const notes = [
    ...match.value.notes,
    ...(input.kind === "restatement" ? [`restated to ${conversion.value} ${conversion.currency}`] : []),
    ...(input.kind === "retraction"
      ? ["full refund restated to 0: the Data Manager API cannot retract, so the conversion still counts once"]
      : [])
  ]
  if (response.status >= 200 && response.status < 300) {
    const parsed = parseJson(response.body)
    const decoded = parsed.ok ? Schema.decodeUnknownEither(IngestEventsResponse)(parsed.value) : undefined
    const body = decoded && Either.isRight(decoded) ? decoded.right : undefined
    const warnings = (body?.fieldWarnings ?? []).map((w) => `warning ${w.field ?? "?"} ${w.reason ?? ""}`.trim())
    if (request.validateOnly === true) {
      return {
        _tag: "Skipped",
        reason: "validated",
        detail: ["validateOnly: Google checked the request and ingested nothing", ...warnings, ...notes].join("; "),
        exchanges
      } satisfies ChannelResult
    }
    return {
      _tag: "Delivered",
      dedupKey: conversion.transactionId,
      alreadyRecorded: false,
      exchanges,
      detail: [`requestId=${body?.requestId ?? "?"}`, ...warnings, ...notes].join("; ")
    } satisfies ChannelResult
  }
  const classified = classifyDataManager(response.status, response.body, retryAfterMs(response.headers))
  if (classified._tag === "AlreadyRecorded") {
    return {
      _tag: "Delivered",
      dedupKey: conversion.transactionId,
      alreadyRecorded: true,
      exchanges,
      detail: classified.detail
    } satisfies ChannelResult
  }
  return yield* new ChannelError({
    channel: GOOGLE_CHANNEL,
    reason: classified.reason,
    retryable: classified.retryable,
    detail: classified.detail,
    status: response.status,
    retryAfterMs: classified.retryAfterMs,
    exchanges
  })
})
