// The contract between the webhook endpoint and the per-platform auth schemes. Everything here is pure
// and synchronous: the endpoint reads the raw bytes once, asks the scheme to verify them, parses the
// same bytes with parseJson, and asks the scheme to describe the result.
import type { SourceKind } from "../../events/configSchema.js"

export interface IncomingWebhook {
  /** The exact bytes received; signatures are computed over these, never over re-serialized JSON. */
  readonly body: Uint8Array
  /** Header names in lower case (Node's IncomingMessage.headers already are). */
  readonly headers: Readonly<Record<string, string>>
  readonly contentType: string | undefined
  readonly now: Date
}

export type VerifyFailureReason =
  /** No signature header at all (or a bearer-token source asked to verify a signature). */
  | "missing_signature"
  /** A header that cannot be parsed or decoded, or digests that are not 32 bytes. */
  | "malformed_signature"
  /** Well-formed, but no signature matches any configured secret. */
  | "bad_signature"
  /** Authentic, but signed outside the tolerance window (too old or too far in the future). */
  | "stale_timestamp"
  /** The source has no usable secret: an operator error, never a reason to accept unsigned input. */
  | "no_secret"

export type VerifyResult =
  /** secretIndex: which of the secrets matched (0 = current, > 0 = a previous one still in use). */
  | { readonly ok: true; readonly secretIndex: number }
  | { readonly ok: false; readonly reason: VerifyFailureReason; readonly detail: string }

export type Description =
  | {
      readonly ok: true
      /** undefined: the platform gives no stable id; the endpoint records the delivery under a fresh id. */
      readonly dedupKey: string | undefined
      readonly topic: string | undefined
      /** Platform test mode when the payload says so (Stripe livemode, Shopify test); else undefined. */
      readonly testMode: boolean | undefined
    }
  | { readonly ok: false; readonly error: string }

export interface SourceScheme {
  readonly kind: SourceKind
  /**
   * "signature": the platform's HMAC over the raw body, checked by `verify`.
   * "bearer-token": the endpoint checks an ingest token against the token store instead; `verify` then
   * refuses everything, so a caller that forgets the token check fails closed.
   */
  readonly auth: "signature" | "bearer-token"
  /** Requests answered 200 without recording anything (WooCommerce's unsigned creation ping). */
  readonly isPing?: (req: IncomingWebhook) => boolean
  /** Signature check over the raw bytes, before any parsing. secrets: current first, then previous ones. */
  readonly verify: (req: IncomingWebhook, secrets: ReadonlyArray<string>, toleranceMs: number) => VerifyResult
  /** After a successful verify and JSON parse: dedup key, topic and test mode. */
  readonly describe: (req: IncomingWebhook, json: unknown) => Description
  /** Lower-case header names worth keeping for audit; never signatures, tokens or cookies. */
  readonly keptHeaders: ReadonlyArray<string>
  /** Timestamp tolerance when the source sets none (signed-timestamp schemes only). */
  readonly defaultToleranceMs?: number
}

export const described = (fields: {
  readonly dedupKey: string | undefined
  readonly topic: string | undefined
  readonly testMode?: boolean | undefined
}): Description => ({ ok: true, dedupKey: fields.dedupKey, topic: fields.topic, testMode: fields.testMode })

export const notDescribed = (error: string): Description => ({ ok: false, error })
