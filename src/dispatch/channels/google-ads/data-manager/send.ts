// `api: data-manager`: POST {GOOGLE_DATA_MANAGER_URL}/v1/events:ingest with a Bearer token from the
// adapter's token cache. Conversions and adjustments: a repeated transactionId with a new value is the
// documented adjustment (the value is overwritten, the conversion count is not). The Data Manager API
// has no retraction, so a full refund restates the value to 0: the conversion stays counted once, but
// its revenue is gone (only `api: ads-api` can RETRACT the count too). validateOnly requests are
// recorded as Skipped "validated": nothing was ingested, so turning validateOnly off sends them.
// A batch goes out as up to 2,000 events per request with one token (the cache's); the API fails the
// whole request for one invalid event, so a refused request is split in halves until the event it
// refuses is alone (../../batch.ts). Resending the others is safe: a repeated transactionId with the
// same values changes nothing.
import { Config, Effect, Either, Schema } from "effect"
import type { Secrets } from "../../../../config/Secrets.js"
import type { GoogleAdsTarget } from "../../../../events/configSchema.js"
import type { HttpExchange } from "../../../../events/dispatch.js"
import { parseJson } from "../../../../lib/json.js"
import { ChannelError, type DispatchInput, type ItemOutcome, timeoutOf } from "../../../Channel.js"
import { exchangeAs, httpCall, retryAfterMs } from "../../../http.js"
import {
  type Decision,
  done,
  type Planned,
  type RequestVerdict,
  sendGrouped,
  sendSplitting,
  targetKey,
  withExchanges,
  withPriorExchanges
} from "../../batch.js"
import { DATA_MANAGER_SCOPE, GOOGLE_CHANNEL, type GoogleTokens } from "../oauth.js"
import { CLICK_MATURITY_MS, conversionFacts, type GoogleConversion, matchData, tooRecentRetryAt } from "../plan.js"
import { loadCredentials } from "../secrets.js"
import { settle } from "../settle.js"
import { classifyDataManager } from "./errors.js"
import { buildIngestBatch, DM_MAX_EVENTS, type DmItem } from "./request.js"
import { IngestEventsResponse } from "./wire.js"

export const DEFAULT_DATA_MANAGER_URL = "https://datamanager.googleapis.com"

const baseUrl = Config.string("GOOGLE_DATA_MANAGER_URL").pipe(Config.withDefault(DEFAULT_DATA_MANAGER_URL))

interface Sendable extends DmItem {
  readonly notes: ReadonlyArray<string>
}
type Item = Planned<DispatchInput<GoogleAdsTarget>, Sendable>

/** Unsupported kinds, skips, configuration errors and the 6-hour rule are decided without a request. */
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
  // Skips and configuration errors first: waiting 6 hours for an order that can never be sent only
  // delays the alert about it.
  const match = matchData(order, target)
  if (match._tag !== "Ok") return done(settle(match))
  // The Data Manager API accepts a too-recent click and drops it hours later (diagnostics only), so
  // the 6-hour rule is enforced here, against the latest moment the click can have happened. The rule
  // is about the click (TOO_RECENT_EVENT / TOO_RECENT_CLICK): without a click id there is nothing to
  // wait for.
  if (match.value.click !== undefined && input.now.getTime() < conversion.clickBound.getTime() + CLICK_MATURITY_MS) {
    const retryAt = tooRecentRetryAt(conversion.clickBound, input.now)
    return done(
      settle({
        _tag: "Fail",
        reason: "TooRecent",
        retryable: true,
        retryAt,
        detail: `Google attributes a click only 6 hours after it happened; order placed ${order.placedAt}, retry at ${retryAt.toISOString()}`
      })
    )
  }
  const notes = [
    ...match.value.notes,
    ...(input.kind === "restatement" ? [`restated to ${conversion.value} ${conversion.currency}`] : []),
    ...(input.kind === "retraction"
      ? ["full refund restated to 0: the Data Manager API cannot retract, so the conversion still counts once"]
      : [])
  ]
  return Effect.succeed({ _tag: "Send", planned: { conversion, match: match.value, notes } })
}

const delivered = (conversion: GoogleConversion, exchanges: ReadonlyArray<HttpExchange>, detail: string) =>
  ({ _tag: "Delivered", dedupKey: conversion.transactionId, alreadyRecorded: false, exchanges, detail }) as const

/** One target's events: credentials read once, one token per request, requests of up to 2,000 events. */
const sendGroup = (tokens: GoogleTokens) => (group: ReadonlyArray<Item>) =>
  Effect.gen(function* () {
    const target = (group[0] as Item).input.target
    const credentials = yield* Effect.either(loadCredentials(target))
    if (Either.isLeft(credentials)) return group.map((): ItemOutcome => Either.left(credentials.left))
    const url = `${(yield* Effect.orDie(baseUrl)).replace(/\/+$/, "")}/v1/events:ingest`
    const timeoutMs = timeoutOf(target)

    const request = (part: ReadonlyArray<Item>): Effect.Effect<RequestVerdict> =>
      Effect.gen(function* () {
        const body = buildIngestBatch(
          target,
          part.map((item) => item.planned)
        )
        const exchanges: Array<HttpExchange> = []
        const secrets: Array<string> = []
        // Token fetches are recorded as they are; each ingest request with the item's own event.
        const views = (recorded: ReadonlyArray<HttpExchange>) =>
          part.map((_, i) =>
            recorded.map((x) =>
              x.request.url === url ? exchangeAs(x, JSON.stringify({ ...body, events: [body.events[i]] }), secrets) : x
            )
          )
        const attempt = (fresh: boolean) =>
          Effect.gen(function* () {
            if (fresh) yield* tokens.invalidate(credentials.right, DATA_MANAGER_SCOPE)
            const access = yield* tokens
              .get(credentials.right, DATA_MANAGER_SCOPE)
              .pipe(Effect.mapError(withPriorExchanges(exchanges)))
            exchanges.push(...access.exchanges)
            secrets.push(access.token)
            const response = yield* httpCall({
              channel: GOOGLE_CHANNEL,
              method: "POST",
              url,
              headers: { authorization: `Bearer ${access.token}`, "content-type": "application/json" },
              body: JSON.stringify(body),
              // Recorded per item (views): never the whole batch.
              ...(part.length === 1 ? {} : { recordedBody: "" }),
              timeoutMs,
              secrets: [access.token]
            }).pipe(Effect.mapError(withPriorExchanges(exchanges)))
            exchanges.push(response.exchange)
            return { response, cached: access.cached }
          })

        const first = yield* Effect.either(attempt(false))
        // A cached token can be revoked before it expires: one retry with a fresh token.
        const answered =
          Either.isRight(first) && first.right.response.status === 401 && first.right.cached
            ? yield* Effect.either(attempt(true))
            : first
        if (Either.isLeft(answered)) {
          const error = answered.left
          return settleAll(views(error.exchanges), error)
        }
        const { response } = answered.right
        if (response.status === 401) yield* tokens.invalidate(credentials.right, DATA_MANAGER_SCOPE)
        const seen = views(exchanges)

        if (response.status >= 200 && response.status < 300) {
          const parsed = parseJson(response.body)
          const decoded = parsed.ok ? Schema.decodeUnknownEither(IngestEventsResponse)(parsed.value) : undefined
          const answer = decoded && Either.isRight(decoded) ? decoded.right : undefined
          const warnings = (answer?.fieldWarnings ?? []).map((w) =>
            `warning ${w.field ?? "?"} ${w.reason ?? ""}`.trim()
          )
          return {
            _tag: "Settled",
            outcomes: part.map(
              ({ planned }, i): ItemOutcome =>
                Either.right(
                  body.validateOnly === true
                    ? {
                        _tag: "Skipped",
                        reason: "validated",
                        detail: [
                          "validateOnly: Google checked the request and ingested nothing",
                          ...warnings,
                          ...planned.notes
                        ].join("; "),
                        exchanges: seen[i] ?? []
                      }
                    : delivered(
                        planned.conversion,
                        seen[i] ?? [],
                        [`requestId=${answer?.requestId ?? "?"}`, ...warnings, ...planned.notes].join("; ")
                      )
                )
            )
          }
        }
        const classified = classifyDataManager(response.status, response.body, retryAfterMs(response.headers))
        if (classified._tag === "AlreadyRecorded") {
          // Which event Google already has is only known for an event sent alone.
          const [only] = part
          return part.length === 1 && only !== undefined
            ? {
                _tag: "Settled",
                outcomes: [
                  Either.right({
                    ...delivered(only.planned.conversion, seen[0] ?? [], classified.detail),
                    alreadyRecorded: true
                  })
                ]
              }
            : {
                _tag: "Refused",
                error: new ChannelError({
                  channel: GOOGLE_CHANNEL,
                  reason: "Rejected",
                  retryable: false,
                  detail: classified.detail,
                  status: response.status,
                  exchanges: []
                }),
                exchanges: seen
              }
        }
        const error = new ChannelError({
          channel: GOOGLE_CHANNEL,
          reason: classified.reason,
          retryable: classified.retryable,
          detail: classified.detail,
          status: response.status,
          retryAfterMs: classified.retryAfterMs,
          exchanges: []
        })
        // INVALID_ARGUMENT and the like may be one event's (fast-fail): isolate it. Auth, configuration,
        // quota and server errors concern every event.
        const eventLevel =
          !classified.retryable && (classified.reason === "InvalidPayload" || classified.reason === "Rejected")
        return eventLevel ? { _tag: "Refused", error, exchanges: seen } : settleAll(seen, error)
      })

    return yield* sendSplitting(group, DM_MAX_EVENTS, request)
  })

/** Every item of the request gets the same error, with the request as it saw it. */
const settleAll = (seen: ReadonlyArray<ReadonlyArray<HttpExchange>>, error: ChannelError): RequestVerdict => ({
  _tag: "Settled",
  outcomes: seen.map((exchanges) => Either.left(withExchanges(error, exchanges)))
})

/** Data Manager dispatches, one outcome per input in order. */
export const sendDataManagerBatch = (
  inputs: ReadonlyArray<DispatchInput<GoogleAdsTarget>>,
  tokens: GoogleTokens
): Effect.Effect<ReadonlyArray<ItemOutcome>, never, Secrets> =>
  sendGrouped(inputs, decide, (input) => targetKey(input.target), sendGroup(tokens)).pipe(
    Effect.withSpan("GoogleAds.dataManager")
  )
