// A target: one account of one channel (Google Ads, Meta CAPI, a partner's postback) conversions are
// sent to, with its credentials (env:NAME references) and how it is sent to (retries, concurrency,
// timeout, circuit breaker). Adding a channel adds its struct to the Target union.
import { Schema } from "effect"
import { DurationText } from "./duration.js"
import { Id, SecretField, SecretRef } from "./fields.js"

const RetryPolicy = Schema.Struct({
  /** Give up (dead-letter) this long after the first attempt. */
  horizon: Schema.optional(DurationText),
  maxAttempts: Schema.optional(Schema.Int.pipe(Schema.between(1, 100))),
  initialDelay: Schema.optional(DurationText),
  maxDelay: Schema.optional(DurationText)
})

const targetCommon = {
  id: Id,
  enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  retry: Schema.optional(RetryPolicy),
  /** Concurrent requests to this target across the worker. */
  concurrency: Schema.optional(Schema.Int.pipe(Schema.between(1, 256))),
  timeout: Schema.optional(DurationText),
  /** Consecutive failures of every order that open the circuit breaker. */
  breaker: Schema.optional(
    Schema.Struct({
      failures: Schema.optional(Schema.Int.pipe(Schema.between(1, 10_000))),
      cooldown: Schema.optional(DurationText)
    })
  )
}

export const GoogleAdsTarget = Schema.Struct({
  ...targetCommon,
  channel: Schema.Literal("google-ads"),
  api: Schema.optionalWith(Schema.Literal("data-manager", "ads-api"), { default: () => "data-manager" as const }),
  customerId: Schema.String.pipe(Schema.pattern(/^\d{10}$/, { message: () => "customerId is 10 digits, no dashes" })),
  loginCustomerId: Schema.optional(Schema.String.pipe(Schema.pattern(/^\d{10}$/))),
  conversionActionId: Schema.String.pipe(Schema.pattern(/^\d+$/)),
  credentials: SecretRef,
  developerToken: Schema.optional(SecretRef),
  /** ads-api: the account's time zone for conversion_date_time (e.g. Europe/Berlin). */
  timeZone: Schema.optional(Schema.String),
  validateOnly: Schema.optional(Schema.Boolean),
  /** Consent sent when the order carries none (outside the EEA/UK/CH). */
  defaultConsent: Schema.optional(Schema.Literal("granted", "denied", "unspecified"))
})

export const MetaTarget = Schema.Struct({
  ...targetCommon,
  channel: Schema.Literal("meta-capi"),
  pixelId: Schema.String.pipe(Schema.pattern(/^\d+$/)),
  accessToken: SecretRef,
  apiVersion: Schema.optional(Schema.String.pipe(Schema.pattern(/^v\d+\.\d+$/))),
  testEventCode: Schema.optional(SecretRef),
  /**
   * event_source_url for orders whose landing URL is missing or not absolute (Shopify's landing_site
   * is a path): the shop's own URL, on the domain verified for the pixel.
   */
  eventSourceUrl: Schema.optional(
    Schema.String.pipe(
      Schema.pattern(/^https?:\/\/[^\s/?#]+[^\s]*$/, {
        message: () => "eventSourceUrl is an absolute http(s) URL, e.g. https://shop.example"
      })
    )
  ),
  /** Meta documents exactly two values: ["LDU"] (Limited Data Use) and [] (explicitly not). */
  dataProcessingOptions: Schema.optional(
    Schema.Union(Schema.Tuple(Schema.Literal("LDU")), Schema.Tuple()).annotations({
      message: () => 'dataProcessingOptions is ["LDU"] or []'
    })
  )
})

export const PostbackTarget = Schema.Struct({
  ...targetCommon,
  channel: Schema.Literal("postback"),
  method: Schema.optionalWith(Schema.Literal("GET", "POST"), { default: () => "GET" as const }),
  url: Schema.String,
  /** POST body template; `form` renders key=value pairs, `json` a JSON template. */
  body: Schema.optional(Schema.String),
  bodyFormat: Schema.optional(Schema.Literal("form", "json")),
  /** Static headers; credentials (Authorization, API keys, tokens) must be env:NAME (config/load.ts). */
  headers: Schema.optional(
    Schema.Record({
      key: Schema.String,
      value: Schema.String.annotations({ [SecretField]: "header values are strings (credentials: env:NAME)" })
    })
  ),
  success: Schema.optional(
    Schema.Struct({
      status: Schema.optional(Schema.String),
      bodyMatches: Schema.optional(Schema.String),
      bodyNotMatches: Schema.optional(Schema.String)
    })
  ),
  /** Postbacks of one batch in flight to one host at once (default 8), over kept-alive connections. */
  hostConcurrency: Schema.optional(Schema.Int.pipe(Schema.between(1, 256))),
  /** Which click id {click_id} means; default: the id recognised for the order's partner. */
  clickId: Schema.optional(Schema.String),
  /**
   * An attempt whose outcome is unknown (no answer, or lost in a crash): `hold` (the default) sends
   * nothing more and alerts, an operator decides; `resend` sends it again, for partners that
   * deduplicate on the order id themselves. Unset means hold (no default is written into the config
   * events, so an older configuration applies unchanged).
   */
  onAmbiguous: Schema.optional(
    Schema.Literal("resend", "hold").annotations({
      message: () => ({ message: "onAmbiguous is resend or hold", override: true })
    })
  ),
  /** Template used for refunds / cancellations of an order already sent (status change). */
  statusChange: Schema.optional(
    Schema.Struct({
      method: Schema.optional(Schema.Literal("GET", "POST")),
      url: Schema.String,
      body: Schema.optional(Schema.String)
    })
  )
})

export const Target = Schema.Union(GoogleAdsTarget, MetaTarget, PostbackTarget)
export type Target = typeof Target.Type
export type GoogleAdsTarget = typeof GoogleAdsTarget.Type
export type MetaTarget = typeof MetaTarget.Type
export type PostbackTarget = typeof PostbackTarget.Type
export type ChannelName = Target["channel"]
