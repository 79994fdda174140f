// A source: a shop or billing platform whose webhooks are ingested, how they are authenticated, and
// what of their orders is read how (company, market, currency, test orders, tracking keys).
import { Schema } from "effect"
import { DurationText } from "./duration.js"
import { Country, Currency, Glob, Id, SecretRef } from "./fields.js"

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
