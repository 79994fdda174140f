// What normalization finds in one webhook. Parsers produce a platform-neutral Draft; normalize.ts adds
// identity, tracking and the special cases and returns a NormalizationOutcome, which the decider turns
// into events. An outcome carries facts (paid at, refunds, cancellation), never a verdict on the
// order's history: only the decider, which knows the stream, decides what changed.
import type { Cancellation } from "../conversion/order.js"
import type { CanonicalOrder, Consent, Customer, LineItem, Money } from "../events/CanonicalOrder.js"

export type IgnoreReason = "test_order" | "reshipment"

/** One refund as the platform identifies it; amountMinor is cumulative for that id (Stripe charges). */
export interface RefundFact {
  readonly id: string
  readonly amountMinor: number
  readonly currency?: string | undefined
  readonly at?: string | undefined
}

/** Key/value pairs from note_attributes, meta_data, metadata or custom_data, in payload order. */
export type Attributes = ReadonlyArray<readonly [key: string, value: string]>

/** Where tracking values can hide in one payload, for the data-driven extraction in tracking.ts. */
export interface TrackingSignals {
  readonly attributes: Attributes
  /** Values the payload states as such (the generic format); win over everything else. */
  readonly explicit?: Readonly<Record<string, string | undefined>> | undefined
  /** Click ids the payload names itself (the generic format's clickIds), kept under their own names. */
  readonly clickIds?: Readonly<Record<string, string>> | undefined
  /** The platform's own fields (Shopify landing_site, referring_site, the first discount code). */
  readonly landingUrl?: string | undefined
  readonly referrer?: string | undefined
  readonly coupon?: string | undefined
  readonly fbclidCapturedAt?: string | undefined
  /** The shop's origin (https://www.acme.de), for resolving a landing URL given as a path. */
  readonly origin?: string | undefined
}

/** An order's details as one webhook shows them, before identity and tracking are resolved. */
export interface Details {
  readonly platform: string
  readonly orderNumber?: string | undefined
  readonly value: Money
  readonly shopValue?: Money | undefined
  readonly lineItems: ReadonlyArray<Omit<LineItem, "product">>
  readonly customer: Customer
  readonly shippingCountry?: string | undefined
  readonly placedAt: string
  /** The platform's modification time of this snapshot, for ignoring stale deliveries. */
  readonly updatedAt?: string | undefined
  readonly clientIp?: string | undefined
  readonly userAgent?: string | undefined
  /** Consent the platform itself states (marketing opt-in); a consent attribute overrides it. */
  readonly consent?: Consent | undefined
  readonly signals: TrackingSignals
  readonly tags: ReadonlyArray<string>
}

export interface Draft {
  readonly _tag: "Draft"
  /** The platform's id of the order (or of the billing object: pi_, in_, txn_). */
  readonly orderId: string
  /** A billing payment naming a shop order (Stripe metadata.order_id, Paddle custom_data.order_id). */
  readonly shopOrderId?: string | undefined
  readonly details?: Details | undefined
  readonly paidAt?: string | undefined
  readonly refunds: ReadonlyArray<RefundFact>
  readonly fullyRefunded: boolean
  readonly cancellation?: Cancellation | undefined
  /** The platform's own test flag, as a sentence naming it ("shopify test: true"). */
  readonly platformTest?: string | undefined
}

export interface Skip {
  readonly _tag: "Skipped"
  readonly reason: string
}

/** A parser's result: a Draft, a topic we do not handle, or a problem (Either's left). */
export type ParserResult = Draft | Skip

// Outcomes ---------------------------------------------------------------------------------------------

export interface Observed {
  readonly _tag: "Observed"
  /** The order stream this webhook concerns. */
  readonly orderKey: string
  /**
   * "payload": orderKey is final. "billing-alias": the payload only knew the billing object (a Paddle
   * adjustment's transaction, a Stripe refund without metadata) of a source with `ordersOf`; if an
   * earlier outcome declared orderKey as the billingKey of a shop order, use that order's key.
   */
  readonly keyFrom: "payload" | "billing-alias"
  /** `{billingSourceId}:{billing object id}` when a billing payment landed on a shop order's key. */
  readonly billingKey?: string | undefined
  /** The source that sent the webhook. */
  readonly sourceId: string
  readonly topic: string
  readonly parserVersion: number
  /** The order as this webhook shows it; status, refundedMinor and paidAt describe this webhook alone. */
  readonly snapshot?: CanonicalOrder | undefined
  readonly paidAt?: string | undefined
  readonly refunds: ReadonlyArray<RefundFact>
  readonly fullyRefunded: boolean
  readonly cancellation?: Cancellation | undefined
  readonly ignore?: { readonly reason: IgnoreReason; readonly detail: string } | undefined
  /** How the company was chosen when the source's company is a product map and it took a rule to say. */
  readonly companyNote?: string | undefined
}

export interface Skipped {
  readonly _tag: "Skipped"
  readonly topic?: string | undefined
  readonly reason: string
  readonly parserVersion: number
}

export interface Failed {
  readonly _tag: "Failed"
  /** Path and problem in one sentence: "line_items[0].price: not a decimal amount". */
  readonly reason: string
  readonly path?: string | undefined
  readonly parserVersion: number
}

export type NormalizationOutcome = Observed | Skipped | Failed
