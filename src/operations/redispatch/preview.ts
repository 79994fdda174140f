// What one dispatch would send, decided with the channels' own pure planners and request builders, so
// a dry run shows what the dispatcher will really do: the exact request (postback URL and body, Meta's
// events body with the hashed user_data, the Data Manager ingest body; secrets redacted, IP address
// and user agent shown as digests as they are recorded), the deduplication key a resend keeps (Meta
// event_id = order key, Google transaction id = platform order id), and the reason a channel would
// skip or refuse it. Google's ads-api requests are built with google-ads-api's own classes, so the
// caller passes the loaded library (`adsLib`); without it that API gets the summary and dedup key
// only. Adjustments are shown as if sent now (adjustment_date_time is the dispatch time).

import {
  type AdsLib,
  adsCall,
  adsDateTime,
  adsTimeZone,
  recordedAdsRequest
} from "../../dispatch/channels/google-ads/ads-api/request.js"
import { buildIngestRequest } from "../../dispatch/channels/google-ads/data-manager/request.js"
import { DEFAULT_DATA_MANAGER_URL } from "../../dispatch/channels/google-ads/data-manager/send.js"
import { conversionFacts, matchData } from "../../dispatch/channels/google-ads/plan.js"
import { buildPurchase } from "../../dispatch/channels/meta/event.js"
import { DEFAULT_GRAPH_URL, DEFAULT_META_API_VERSION, recordedEvent } from "../../dispatch/channels/meta/MetaChannel.js"
import { renderPostback } from "../../dispatch/channels/postback/index.js"
import { REDACTED } from "../../dispatch/http.js"
import type { CanonicalOrder } from "../../events/CanonicalOrder.js"
import type { GoogleAdsTarget, MetaTarget, Target } from "../../events/configSchema.js"
import type { DispatchKind } from "../../events/dispatch.js"
import { majorUnits } from "../../lib/money.js"
import type { RequestPreview } from "../schemas.js"

export type Preview =
  | {
      readonly _tag: "Send"
      readonly summary: string
      readonly dedupKey?: string | undefined
      readonly request?: RequestPreview | undefined
    }
  | { readonly _tag: "Skip"; readonly reason: string }

export interface PreviewInput {
  readonly target: Target
  readonly order: CanonicalOrder
  readonly kind: DispatchKind
  /** Restatement value planned with the dispatch. */
  readonly valueMinor?: number | undefined
  readonly now: Date
  /** The base URLs the channels read from META_GRAPH_URL / GOOGLE_DATA_MANAGER_URL. */
  readonly endpoints?: Endpoints | undefined
  /** google-ads-api, loaded, to show the exact request of ads-api targets. */
  readonly adsLib?: AdsLib | undefined
  /** The configured click-id parameters kept in URLs sent to partners (DispatchInput.urlParameters). */
  readonly urlParameters?: ReadonlySet<string> | undefined
}

export interface Endpoints {
  readonly metaGraphUrl: string
  readonly googleDataManagerUrl: string
}

export const defaultEndpoints: Endpoints = {
  metaGraphUrl: DEFAULT_GRAPH_URL,
  googleDataManagerUrl: DEFAULT_DATA_MANAGER_URL
}

const base = (url: string) => url.replace(/\/+$/, "")

const money = (amountMinor: number, currency: string) => `${majorUnits(amountMinor, currency)} ${currency}`

const skip = (reason: string): Preview => ({ _tag: "Skip", reason })

const postback = (input: PreviewInput & { readonly target: Extract<Target, { channel: "postback" }> }): Preview => {
  const plan = renderPostback(input.target, input.order, input.kind, input.now)
  if (plan._tag === "Skip") return skip(`the postback would be skipped: ${plan.detail}`)
  if (plan._tag === "Invalid") return skip(`target ${input.target.id} is misconfigured: ${plan.detail}`)
  if (plan._tag === "Unplaceable") return skip(`the postback would be refused: ${plan.detail}`)
  return {
    _tag: "Send",
    summary: `${plan.method} ${plan.url}`,
    request: {
      method: plan.method,
      url: plan.url,
      headers: plan.headers,
      ...(plan.body === undefined ? {} : { body: plan.body })
    }
  }
}

const meta = (input: PreviewInput & { readonly target: MetaTarget }): Preview => {
  if (input.kind !== "conversion") return skip(`meta-capi does not send ${input.kind} adjustments`)
  const plan = buildPurchase(input.order, input.target, input.now, input.urlParameters)
  switch (plan._tag) {
    case "Skip":
      return skip(`Meta would not get it: ${plan.detail}`)
    case "Expired":
      return skip(`${plan.detail}: the dispatcher would dead-letter it at once`)
    case "Invalid":
      return skip(plan.detail)
    case "Send": {
      const endpoints = input.endpoints ?? defaultEndpoints
      const version = input.target.apiVersion ?? DEFAULT_META_API_VERSION
      // test_event_code is a secret reference resolved at send time: named, not shown.
      const body = {
        data: [recordedEvent(plan.event)],
        ...(input.target.testEventCode === undefined ? {} : { test_event_code: REDACTED })
      }
      return {
        _tag: "Send",
        dedupKey: plan.event.event_id,
        request: {
          method: "POST",
          url: `${base(endpoints.metaGraphUrl)}/${version}/${encodeURIComponent(input.target.pixelId)}/events?access_token=${REDACTED}`,
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body)
        },
        summary:
          `Purchase ${money(input.order.value.amountMinor, input.order.value.currency)} to pixel ${input.target.pixelId}; ` +
          `Meta deduplicates on event_id ${plan.event.event_id}`
      }
    }
  }
}

const google = (input: PreviewInput & { readonly target: GoogleAdsTarget }): Preview => {
  const { target, order, kind } = input
  if (kind === "status_change") return skip("google-ads has no status_change adjustments")
  const facts = conversionFacts({ order, target, kind, valueMinor: input.valueMinor, attempt: 1, now: input.now })
  if (facts._tag !== "Ok") return skip(`Google would not get it: ${facts.detail}`)
  const match = matchData(order, target)
  if (kind === "conversion" && match._tag !== "Ok") return skip(`Google would not get it: ${match.detail}`)
  const id = facts.value.transactionId
  const endpoints = input.endpoints ?? defaultEndpoints
  let request: RequestPreview | undefined
  if (target.api === "data-manager") {
    if (match._tag === "Ok")
      request = {
        method: "POST",
        url: `${base(endpoints.googleDataManagerUrl)}/v1/events:ingest`,
        headers: { authorization: `Bearer ${REDACTED}`, "content-type": "application/json" },
        body: JSON.stringify(buildIngestRequest(target, facts.value, match.value))
      }
  } else if (input.adsLib !== undefined) {
    // As sendAdsApiBatch builds a call of one (ads-api/send.ts), with the same time zone rule.
    const timeZone = adsTimeZone(target)
    try {
      adsDateTime(facts.value.conversionTime, timeZone)
    } catch {
      return skip(`target ${target.id} is misconfigured: timeZone ${timeZone} is not an IANA time zone`)
    }
    if (kind !== "conversion")
      request = recordedAdsRequest(target, adsCall(input.adsLib, target, facts.value, input.now, { kind }))
    else if (match._tag === "Ok")
      request = recordedAdsRequest(
        target,
        adsCall(input.adsLib, target, facts.value, input.now, { kind: "conversion", match: match.value })
      )
  }
  const what =
    kind === "conversion"
      ? `click conversion ${money(facts.value.valueMinor, facts.value.currency)}`
      : kind === "restatement"
        ? `RESTATEMENT to ${money(facts.value.valueMinor, facts.value.currency)}`
        : target.api === "data-manager"
          ? // The Data Manager API cannot retract: the adapter restates the value to 0.
            `restatement to ${money(0, facts.value.currency)} (Data Manager cannot retract; the conversion still counts once)`
          : "RETRACTION"
  return {
    _tag: "Send",
    dedupKey: id,
    ...(request === undefined ? {} : { request }),
    summary:
      `${what} to customer ${target.customerId}, conversion action ${target.conversionActionId} (${target.api}); ` +
      `Google deduplicates on transaction id ${id}`
  }
}

export const previewDispatch = (input: PreviewInput): Preview => {
  const target = input.target
  switch (target.channel) {
    case "postback":
      return postback({ ...input, target })
    case "meta-capi":
      return meta({ ...input, target })
    case "google-ads":
      return google({ ...input, target })
  }
}
