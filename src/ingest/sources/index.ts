// Source auth schemes, one per `kind:` in s2s.yaml. Consumed by the webhook endpoint, in this order:
//   1. scheme.isPing?.(req)       -> answer 200, record nothing
//   2. scheme.auth === "signature" ? scheme.verify(req, secrets, toleranceOf(scheme, source))
//                                  : the endpoint's bearer-token check        -> 401 on failure
//   3. parseJson(body)                                                         -> 400 + WebhookRejected
//   4. scheme.describe(req, json) -> dedup key, topic, test mode; keptHeaders(scheme, req.headers)
// Every function here is pure and total: malformed input yields a reason, never an exception.
import { durationMillis, type Source, type SourceKind } from "../../events/configSchema.js"
import { generic } from "./generic.js"
import { paddle } from "./paddle.js"
import { shopify } from "./shopify.js"
import { stripe } from "./stripe.js"
import type { SourceScheme } from "./types.js"
import { woocommerce } from "./woocommerce.js"

export type { Description, IncomingWebhook, SourceScheme, VerifyFailureReason, VerifyResult } from "./types.js"

export const schemes: Readonly<Record<SourceKind, SourceScheme>> = { shopify, woocommerce, stripe, paddle, generic }

/** Kept for every kind: what the sender says it sent and which software sent it (versions, for audits). */
export const COMMON_KEPT_HEADERS: ReadonlyArray<string> = ["content-type", "user-agent"]

/** The headers worth recording with the raw body; signatures and credentials are never among them. */
export const keptHeaders = (
  scheme: SourceScheme,
  headers: Readonly<Record<string, string>>
): Readonly<Record<string, string>> => {
  const kept: Record<string, string> = {}
  for (const name of [...COMMON_KEPT_HEADERS, ...scheme.keptHeaders]) {
    const value = headers[name]
    if (value !== undefined) kept[name] = value
  }
  return kept
}

/** The source's `tolerance:` when set, else the scheme's default (0 for schemes that sign no timestamp). */
export const toleranceOf = (scheme: SourceScheme, source: Pick<Source, "tolerance">): number =>
  source.tolerance !== undefined ? durationMillis(source.tolerance) : (scheme.defaultToleranceMs ?? 0)

/** Secret refs in the order verify expects them: the current one first, then those kept for a rotation. */
export const secretRefsOf = (source: Pick<Source, "secret" | "previousSecrets">): ReadonlyArray<string> => [
  ...(source.secret !== undefined ? [source.secret] : []),
  ...(source.previousSecrets ?? [])
]
