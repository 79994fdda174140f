// Meta Conversions API adapter (`channel: meta-capi`).
// Consumes: a paid order routed to a MetaTarget (kind "conversion" only; Meta has no refund adjustment).
// Emits: POST {META_GRAPH_URL}/{apiVersion}/{pixelId}/events with one Purchase event per order,
//   event_id = the order key so Meta deduplicates it with the browser pixel. A batch goes out as up
//   to 1,000 events per request; Meta answers for the request as a whole (events_received, or an
//   error that fails it), so a request refused for an invalid event is split in halves until that
//   event stands alone (../batch.ts). Resending the others is safe: Meta deduplicates on event_id.
// Fails: ChannelError classified from the Graph error code (errors.ts); Expired without a request when
//   the event is past Meta's 7-day window (Meta would reject it, and every other event in the request).
import { Config, Effect, Either, Redacted, Schema } from "effect"
import { Secrets } from "../../../config/Secrets.js"
import type { MetaTarget, SecretRef } from "../../../events/configSchema.js"
import type { HttpExchange } from "../../../events/dispatch.js"
import { parseJson } from "../../../lib/json.js"
import {
  type ChannelAdapter,
  ChannelError,
  type DispatchInput,
  type ItemOutcome,
  singleSend,
  timeoutOf
} from "../../Channel.js"
import { exchangeAs, httpCall, retryAfterMs } from "../../http.js"
import {
  type Decision,
  done,
  type Planned,
  type RequestVerdict,
  sendGrouped,
  sendSplitting,
  targetKey,
  withExchanges
} from "../batch.js"
import { sha256Hex } from "../identity/normalize.js"
import { classifyGraphResponse, parseGraphError } from "./errors.js"
import { buildPurchase, type MetaPlan } from "./event.js"
import { GraphEventsResponse, type MetaEventsRequest, type MetaServerEvent } from "./wire.js"

export const META_CHANNEL = "meta-capi"
export const DEFAULT_GRAPH_URL = "https://graph.facebook.com"
/** The version Meta's Conversions API reference currently documents; a target can pin another. */
export const DEFAULT_META_API_VERSION = "v25.0"
/** Meta takes up to 1,000 events in one request's `data`. */
export const META_MAX_EVENTS = 1000

const graphBaseUrl = Config.string("META_GRAPH_URL").pipe(Config.withDefault(DEFAULT_GRAPH_URL))

const fail = (fields: Omit<ConstructorParameters<typeof ChannelError>[0], "channel">) =>
  Effect.fail(new ChannelError({ channel: META_CHANNEL, ...fields }))

const secret = (ref: SecretRef, target: MetaTarget, field: string) =>
  Secrets.pipe(
    Effect.flatMap((secrets) => secrets.get(ref, `target ${target.id} (${field})`)),
    Effect.map(Redacted.value),
    Effect.catchTag("MissingSecret", (missing) =>
      fail({ reason: "Configuration", retryable: false, detail: missing.message, exchanges: [] })
    )
  )

/** An event as it is recorded (and previewed): the IP address and user agent only as SHA-256 digests. */
export const recordedEvent = (event: MetaServerEvent): MetaServerEvent => ({
  ...event,
  user_data: {
    ...event.user_data,
    ...(event.user_data.client_ip_address === undefined
      ? {}
      : { client_ip_address: `sha256:${sha256Hex(event.user_data.client_ip_address)}` }),
    ...(event.user_data.client_user_agent === undefined
      ? {}
      : { client_user_agent: `sha256:${sha256Hex(event.user_data.client_user_agent)}` })
  }
})

/** The logged copy of the body. */
const recordedBody = (request: MetaEventsRequest): string =>
  JSON.stringify({ ...request, data: request.data.map(recordedEvent) })

type Sendable = Extract<MetaPlan, { readonly _tag: "Send" }>
type Item = Planned<DispatchInput<MetaTarget>, Sendable>

/** Unsupported kinds, skips and refusals Meta's rules predict (older than 7 days) go out without a request. */
const decide = (input: DispatchInput<MetaTarget>): Effect.Effect<Decision<Sendable>> => {
  if (input.kind !== "conversion") {
    return done(
      Effect.succeed({
        _tag: "Skipped",
        reason: "unsupported",
        detail: `the Meta Conversions API has no way to adjust a sent Purchase (${input.kind})`,
        exchanges: []
      })
    )
  }
  const plan = buildPurchase(input.order, input.target, input.now, input.urlParameters)
  switch (plan._tag) {
    case "Send":
      return Effect.succeed({ _tag: "Send", planned: plan })
    case "Skip":
      return done(Effect.succeed({ ...plan, _tag: "Skipped", exchanges: [] }))
    case "Expired":
      return done(fail({ reason: "Expired", retryable: false, detail: plan.detail, exchanges: [] }))
    case "Invalid":
      return done(fail({ reason: "InvalidPayload", retryable: false, detail: plan.detail, exchanges: [] }))
  }
}

/** Meta's policy block (code 368) concerns the pixel, not an event: splitting would only repeat it. */
const POLICY_BLOCK = 368

/** One target's events: the token and test code read once, then requests of up to 1,000 events. */
const sendGroup = (group: ReadonlyArray<Item>) =>
  Effect.gen(function* () {
    const target = (group[0] as Item).input.target
    const setup = yield* Effect.either(
      Effect.gen(function* () {
        const token = yield* secret(target.accessToken, target, "accessToken")
        // A configured but unset test code means "live events" (the same file serves staging and production).
        const testEventCode =
          target.testEventCode === undefined
            ? undefined
            : yield* secret(target.testEventCode, target, "testEventCode").pipe(Effect.option)
        return { token, testEventCode }
      })
    )
    if (Either.isLeft(setup)) return group.map((): ItemOutcome => Either.left(setup.left))
    const { token, testEventCode } = setup.right
    const base = (yield* Effect.orDie(graphBaseUrl)).replace(/\/+$/, "")
    const version = target.apiVersion ?? DEFAULT_META_API_VERSION
    // The access token goes in the access_token query parameter, as Meta documents for this endpoint;
    // it is redacted from the recorded URL.
    const url = `${base}/${version}/${encodeURIComponent(target.pixelId)}/events?access_token=${encodeURIComponent(token)}`
    const withCode = (data: ReadonlyArray<MetaServerEvent>): MetaEventsRequest => ({
      data,
      ...(testEventCode?._tag === "Some" ? { test_event_code: testEventCode.value } : {})
    })

    const request = (part: ReadonlyArray<Item>): Effect.Effect<RequestVerdict> =>
      Effect.gen(function* () {
        const events = part.map((item) => item.planned.event)
        const body = withCode(events)
        // What each item records: the request with its own event only.
        const views = (exchanges: ReadonlyArray<HttpExchange>) =>
          part.map((item) => exchanges.map((x) => exchangeAs(x, recordedBody(withCode([item.planned.event])), [token])))
        const sent = yield* Effect.either(
          httpCall({
            channel: META_CHANNEL,
            method: "POST",
            url,
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
            // Recorded per item below: never the whole batch.
            recordedBody: part.length === 1 ? recordedBody(body) : "",
            timeoutMs: timeoutOf(target),
            redactQuery: ["access_token"],
            secrets: [token]
          })
        )
        if (Either.isLeft(sent)) {
          const error = sent.left
          return settleAll(views(error.exchanges), () => error)
        }
        const response = sent.right
        const seen = views([response.exchange])
        if (response.status < 200 || response.status >= 300) {
          const classified = classifyGraphResponse(response.status, response.body)
          const error = new ChannelError({
            channel: META_CHANNEL,
            ...classified,
            status: response.status,
            retryAfterMs: classified.reason === "RateLimited" ? retryAfterMs(response.headers) : undefined,
            exchanges: []
          })
          // An invalid parameter (or another permanent refusal) may be one event's: isolate it.
          const eventLevel =
            !classified.retryable &&
            (classified.reason === "InvalidPayload" || classified.reason === "Rejected") &&
            parseGraphError(response.body)?.code !== POLICY_BLOCK
          return eventLevel ? { _tag: "Refused", error, exchanges: seen } : settleAll(seen, () => error)
        }
        const parsed = parseJson(response.body)
        const decoded = parsed.ok ? Schema.decodeUnknownEither(GraphEventsResponse)(parsed.value) : undefined
        const answer = decoded && Either.isRight(decoded) ? decoded.right : undefined
        if (answer !== undefined && answer.events_received < part.length) {
          const messages = JSON.stringify(answer.messages ?? [])
          const error = new ChannelError({
            channel: META_CHANNEL,
            reason: "Rejected",
            retryable: false,
            status: response.status,
            detail:
              answer.events_received < 1
                ? `Meta received no events: ${messages}`
                : `Meta received ${answer.events_received} of ${part.length} events: ${messages}`,
            exchanges: []
          })
          return { _tag: "Refused", error, exchanges: seen }
        }
        const notes = [
          answer === undefined
            ? `HTTP ${response.status} with an unexpected body`
            : `events_received=${answer.events_received}${answer.fbtrace_id ? ` fbtrace_id=${answer.fbtrace_id}` : ""}`,
          ...(body.test_event_code === undefined ? [] : ["sent with test_event_code (Test Events only)"]),
          ...(testEventCode?._tag === "None" ? ["testEventCode configured but its variable is unset: sent live"] : [])
        ]
        return {
          _tag: "Settled",
          outcomes: part.map(
            (item, i): ItemOutcome =>
              Either.right({
                _tag: "Delivered",
                dedupKey: item.planned.event.event_id,
                alreadyRecorded: false,
                exchanges: seen[i] ?? [],
                detail: [...notes, ...item.planned.notes].join("; ")
              })
          )
        } satisfies RequestVerdict
      })

    return yield* sendSplitting(group, META_MAX_EVENTS, request)
  })

/** Every item of the request gets the same error, with the request as it saw it. */
const settleAll = (seen: ReadonlyArray<ReadonlyArray<HttpExchange>>, error: () => ChannelError): RequestVerdict => {
  const e = error()
  return { _tag: "Settled", outcomes: seen.map((exchanges) => Either.left(withExchanges(e, exchanges))) }
}

const sendBatch = Effect.fn("Meta.sendBatch")(function* (inputs: ReadonlyArray<DispatchInput<MetaTarget>>) {
  return yield* sendGrouped(inputs, decide, (input) => targetKey(input.target), sendGroup)
})

/** Put this in the channel registry under "meta-capi". */
export const MetaChannel: ChannelAdapter<MetaTarget> = {
  channel: "meta-capi",
  supports: ["conversion"],
  // event_id = the order key: Meta keeps the first of two events with one event_id within 48 hours.
  deduplicates: { withinMs: 48 * 3_600_000 },
  send: singleSend(sendBatch),
  sendBatch
}
