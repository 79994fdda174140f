// Meta Conversions API adapter (`channel: meta-capi`).
// Consumes: a paid order routed to a MetaTarget (kind "conversion" only; Meta has no refund adjustment).
// Emits: one POST {META_GRAPH_URL}/{apiVersion}/{pixelId}/events with a single Purchase event,
//   event_id = the order key so Meta deduplicates it with the browser pixel.
// Fails: ChannelError classified from the Graph error code (errors.ts); Expired without a request when
//   the event is past Meta's 7-day window (Meta would reject it, and every other event in the request).
import { Config, Effect, Either, Redacted, Schema } from "effect"
import { Secrets } from "../../../config/Secrets.js"
import type { MetaTarget, SecretRef } from "../../../config/schema.js"
import { parseJson } from "../../../lib/json.js"
import { type ChannelAdapter, ChannelError, type ChannelResult, type DispatchInput, timeoutOf } from "../../Channel.js"
import { httpCall, retryAfterMs } from "../../http.js"
import { sha256Hex } from "../identity/normalize.js"
import { classifyGraphResponse } from "./errors.js"
import { buildPurchase } from "./event.js"
import { GraphEventsResponse, type MetaEventsRequest, type MetaServerEvent } from "./wire.js"

export const META_CHANNEL = "meta-capi"
export const DEFAULT_GRAPH_URL = "https://graph.facebook.com"
/** The version Meta's Conversions API reference currently documents; a target can pin another. */
export const DEFAULT_META_API_VERSION = "v25.0"

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

const send = Effect.fn("Meta.send")(function* (input: DispatchInput<MetaTarget>) {
  const { order, target } = input
  if (input.kind !== "conversion") {
    return {
      _tag: "Skipped",
      reason: "unsupported",
      detail: `the Meta Conversions API has no way to adjust a sent Purchase (${input.kind})`,
      exchanges: []
    } satisfies ChannelResult
  }
  const plan = buildPurchase(order, target, input.now, input.urlParameters)
  if (plan._tag === "Skip") return { ...plan, _tag: "Skipped", exchanges: [] } satisfies ChannelResult
  if (plan._tag === "Expired")
    return yield* fail({ reason: "Expired", retryable: false, detail: plan.detail, exchanges: [] })
  if (plan._tag === "Invalid") {
    return yield* fail({ reason: "InvalidPayload", retryable: false, detail: plan.detail, exchanges: [] })
  }

  const token = yield* secret(target.accessToken, target, "accessToken")
  // A configured but unset test code means "live events" (the same file serves staging and production).
  const testEventCode =
    target.testEventCode === undefined
      ? undefined
      : yield* secret(target.testEventCode, target, "testEventCode").pipe(Effect.option)
  const request: MetaEventsRequest = {
    data: [plan.event],
    ...(testEventCode?._tag === "Some" ? { test_event_code: testEventCode.value } : {})
  }
  const base = (yield* Effect.orDie(graphBaseUrl)).replace(/\/+$/, "")
  const version = target.apiVersion ?? DEFAULT_META_API_VERSION
  // The access token goes in the access_token query parameter, as Meta documents for this endpoint;
  // it is redacted from the recorded URL.
  const url = `${base}/${version}/${encodeURIComponent(target.pixelId)}/events?access_token=${encodeURIComponent(token)}`
  const response = yield* httpCall({
    channel: META_CHANNEL,
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
    recordedBody: recordedBody(request),
    timeoutMs: timeoutOf(target),
    redactQuery: ["access_token"],
    secrets: [token]
  })
  const exchanges = [response.exchange]

  if (response.status < 200 || response.status >= 300) {
    const classified = classifyGraphResponse(response.status, response.body)
    return yield* fail({
      ...classified,
      status: response.status,
      retryAfterMs: classified.reason === "RateLimited" ? retryAfterMs(response.headers) : undefined,
      exchanges
    })
  }
  const parsed = parseJson(response.body)
  const decoded = parsed.ok ? Schema.decodeUnknownEither(GraphEventsResponse)(parsed.value) : undefined
  const body = decoded && Either.isRight(decoded) ? decoded.right : undefined
  if (body !== undefined && body.events_received < 1) {
    return yield* fail({
      reason: "Rejected",
      retryable: false,
      status: response.status,
      detail: `Meta received no events: ${JSON.stringify(body.messages ?? [])}`,
      exchanges
    })
  }
  const notes = [
    body === undefined
      ? `HTTP ${response.status} with an unexpected body`
      : `events_received=${body.events_received}${body.fbtrace_id ? ` fbtrace_id=${body.fbtrace_id}` : ""}`,
    ...(request.test_event_code === undefined ? [] : ["sent with test_event_code (Test Events only)"]),
    ...(testEventCode?._tag === "None" ? ["testEventCode configured but its variable is unset: sent live"] : []),
    ...plan.notes
  ]
  return {
    _tag: "Delivered",
    dedupKey: plan.event.event_id,
    alreadyRecorded: false,
    exchanges,
    detail: notes.join("; ")
  } satisfies ChannelResult
})

/** Put this in the channel registry under "meta-capi". */
export const MetaChannel: ChannelAdapter<MetaTarget> = {
  channel: "meta-capi",
  supports: ["conversion"],
  // event_id = the order key: Meta keeps the first of two events with one event_id within 48 hours.
  deduplicates: { withinMs: 48 * 3_600_000 },
  send
}
