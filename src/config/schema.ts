// The shape of s2s.yaml, and of the configuration entities recorded in config events.
//
// Decoding s2s.yaml uses `onExcessProperty: "error"`, so an unknown key is an error naming its path.
// Secrets are never values: every secret field is an `env:NAME` reference, resolved only where it is
// used (see env.ts), so it cannot reach the event log, logs or error messages.
import { Schema } from "effect"

/**
 * Marks a field whose value may be a credential; the annotation is the message shown for any problem
 * with it, so config problems never echo the value (redact.ts).
 */
export const SecretField = Symbol.for("s2s/config/SecretField")
export const SECRET_REF_MESSAGE =
  "secrets must be env:NAME references (the value is read from that environment variable)"

export const SecretRef = Schema.String.pipe(
  Schema.pattern(/^env:[A-Za-z_][A-Za-z0-9_]*$/, { message: () => SECRET_REF_MESSAGE }),
  Schema.brand("SecretRef")
).annotations({ [SecretField]: SECRET_REF_MESSAGE })
export type SecretRef = typeof SecretRef.Type

const Id = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, {
    message: () => "ids use letters, digits, '.', '_' and '-' (at most 128 characters)"
  })
)
const Glob = Schema.String.pipe(Schema.minLength(1))
const Country = Schema.String.pipe(
  Schema.pattern(/^[A-Z]{2}$/, { message: () => "a country is an ISO 3166-1 alpha-2 code in upper case, e.g. DE" })
)
const Currency = Schema.String.pipe(
  Schema.pattern(/^[A-Z]{3}$/, { message: () => "a currency is an ISO 4217 code in upper case, e.g. EUR" })
)
/** "90s", "15m", "6h", "7d" */
export const DurationText = Schema.String.pipe(
  Schema.pattern(/^\d+(ms|s|m|h|d)$/, { message: () => 'durations look like "500ms", "90s", "15m", "6h" or "7d"' })
)

export const durationMillis = (text: string): number => {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text)
  if (!match) throw new Error(`not a duration: ${text}`)
  const n = Number(match[1])
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "ms" | "s" | "m" | "h" | "d"]
  return n * unit
}

export const SourceKind = Schema.Literal("shopify", "woocommerce", "stripe", "paddle", "generic")
export type SourceKind = typeof SourceKind.Type

/** Canonical tracking fields whose source keys can be overridden per source. */
export const TrackingField = Schema.Literal(
  "gclid",
  "gbraid",
  "wbraid",
  "fbclid",
  "fbc",
  "fbp",
  "awc",
  "irclickid",
  "cjevent",
  "clickid",
  "sub1",
  "sub2",
  "sub3",
  "sub4",
  "sub5",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_content",
  "utm_term",
  "landing_url",
  "referrer",
  "coupon",
  "consent"
)
export type TrackingField = typeof TrackingField.Type

/**
 * A brand, or for a billing account several brands share, a map from products (sku, product or price
 * id; exact or glob) to brands, "*" the default (normalize/company.ts).
 */
export const SourceCompany = Schema.Union(
  Id,
  Schema.Record({ key: Schema.String.pipe(Schema.minLength(1)), value: Id }).pipe(
    Schema.filter((map) => Object.keys(map).length > 0 || "a company map names at least one product")
  )
)
export type SourceCompany = typeof SourceCompany.Type

export const Source = Schema.Struct({
  id: Id,
  kind: SourceKind,
  company: SourceCompany,
  market: Schema.optional(Country),
  /** Shop currency, when the platform does not say (presentment vs shop currency). */
  currency: Schema.optional(Currency),
  enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** HMAC secret (shopify, woocommerce, stripe, paddle). */
  secret: Schema.optional(SecretRef),
  /** Further secrets accepted during a rotation. */
  previousSecrets: Schema.optional(Schema.Array(SecretRef)),
  /** Stripe / Paddle timestamp tolerance. */
  tolerance: Schema.optional(DurationText),
  /** A billing source whose payments belong to another source's orders (metadata.order_id). */
  ordersOf: Schema.optional(Id),
  /** The shop's public origin (https://www.acme.de): relative landing URLs are resolved against it. */
  url: Schema.optional(
    Schema.String.pipe(
      Schema.pattern(/^https?:\/\/[^/?#\s]+\/?$/, { message: () => "url is an origin like https://www.acme.de" })
    )
  ),
  testOrders: Schema.optional(
    Schema.Struct({
      emails: Schema.optional(Schema.Array(Glob)),
      tags: Schema.optional(Schema.Array(Glob)),
      ips: Schema.optional(Schema.Array(Glob))
    })
  ),
  reshipments: Schema.optional(
    Schema.Struct({
      tags: Schema.optional(Schema.Array(Glob)),
      noteAttributes: Schema.optional(Schema.Array(Schema.String))
    })
  ),
  /** Extra keys (note attributes, meta_data, metadata) that hold a tracking field, tried before the defaults. */
  // partial: a Record keyed by a literal union would otherwise require every field to be listed.
  tracking: Schema.optional(Schema.partial(Schema.Record({ key: TrackingField, value: Schema.Array(Schema.String) })))
})
export type Source = typeof Source.Type

export const ProductMapping = Schema.Struct({
  match: Schema.Struct({
    sku: Schema.optional(Glob),
    productId: Schema.optional(Glob),
    source: Schema.optional(Glob),
    company: Schema.optional(Glob)
  }),
  product: Id
})
export type ProductMapping = typeof ProductMapping.Type

/** `gclid` or `sub1` (field present) or `utm_source=google` (field equals, case-insensitive; globs allowed). */
export const PartnerCondition = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9_]+(=.+)?$/, {
    message: () => 'partner conditions look like "gclid", "sub1" or "utm_source=google"'
  })
)
export const PartnerRule = Schema.Struct({
  id: Id,
  when: Schema.Array(PartnerCondition).pipe(Schema.minItems(1))
})
export type PartnerRule = typeof PartnerRule.Type

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
  /** Static headers; credentials (Authorization, API keys, tokens) must be env:NAME (load.ts). */
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

export const Rule = Schema.Struct({
  id: Id,
  company: Glob,
  product: Glob,
  partner: Glob,
  target: Schema.optional(Id),
  exclude: Schema.optional(Schema.Boolean),
  description: Schema.optional(Schema.String)
})
export type Rule = typeof Rule.Type

export const Alerts = Schema.Struct({
  slack: Schema.optional(
    Schema.Struct({
      token: SecretRef,
      channel: Schema.String,
      /** Repeats of the same problem within this window are counted into one digest. */
      groupWindow: Schema.optional(DurationText),
      /** UTC hour of the daily coverage digest. */
      digestHour: Schema.optional(Schema.Int.pipe(Schema.between(0, 23))),
      /** The weekly outcome summary (s2s report's figures for the last 7 days): on this weekday, from this UTC hour. */
      weeklyReport: Schema.optional(
        Schema.Struct({
          day: Schema.optional(
            Schema.Literal("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
          ),
          hour: Schema.optional(Schema.Int.pipe(Schema.between(0, 23)))
        })
      )
    })
  ),
  /** Base URL used in alert links to an order's log. */
  publicUrl: Schema.optional(Schema.String)
})
export type Alerts = typeof Alerts.Type

export const ConfigFile = Schema.Struct({
  sources: Schema.optionalWith(Schema.Array(Source), { default: () => [] }),
  products: Schema.optionalWith(Schema.Array(ProductMapping), { default: () => [] }),
  partners: Schema.optionalWith(Schema.Array(PartnerRule), { default: () => [] }),
  targets: Schema.optionalWith(Schema.Array(Target), { default: () => [] }),
  rules: Schema.optionalWith(Schema.Array(Rule), { default: () => [] }),
  alerts: Schema.optional(Alerts)
})
export type ConfigFile = typeof ConfigFile.Type
