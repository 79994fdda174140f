// Normalization, the pure part: one recorded webhook (WebhookReceived) + the configuration -> one
// NormalizationOutcome, and the decider that turns an outcome into order events.
//
// Consumes: the raw body and headers of a WebhookReceived event, the source's config, product mappings
// and partner rules. Emits: an outcome naming the order stream it concerns (Observed: the snapshot,
// payment, refunds, cancellation, ignore reason it found), or Skipped (a topic that says nothing about
// an order), or Failed (the body is not JSON, or a required field is missing or malformed; the reason
// names the path, e.g. "line_items[0].price: not a decimal amount"). It never throws and is
// deterministic: the same webhook and config give a deeply equal outcome (no clock, no randomness).
// The caller then folds the order stream (evolve), calls decide and appends what it returns.
import { Either } from "effect"
import type { WebhookReceived } from "../events/webhook.js"
import { parseJson } from "../lib/json.js"
import { observe } from "./build.js"
import type { NormalizeContext } from "./context.js"
import { parseGeneric } from "./generic/parse.js"
import type { NormalizationOutcome, Observed } from "./outcome.js"
import { parsePaddle } from "./paddle/parse.js"
import type { Parser } from "./parser.js"
import { parseShopify } from "./shopify/parse.js"
import { parseStripe } from "./stripe/parse.js"
import { parseWooCommerce } from "./woocommerce/parse.js"

/** Bump whenever a parser's output for the same input changes (re-normalization compares it). */
export const PARSER_VERSION = 1

export { evolve, foldOrder, initialOrderState, type OrderState } from "../conversion/order.js"
export type { NormalizeContext } from "./context.js"
export { decide, merge } from "./decider/decide.js"
export type { Adjustment } from "./decider/eligibility.js"
export { adjustmentFor, isEligible } from "./decider/eligibility.js"
export type { Failed, NormalizationOutcome, Observed, Skipped } from "./outcome.js"

export type WebhookInput = Pick<WebhookReceived, "sourceId" | "topic" | "headers" | "body" | "receivedAt"> & {
  readonly testMode?: boolean | undefined
}

const parsers: Readonly<Record<NormalizeContext["source"]["kind"], Parser>> = {
  shopify: parseShopify,
  woocommerce: parseWooCommerce,
  stripe: parseStripe,
  paddle: parsePaddle,
  generic: parseGeneric
}

const bodyText = (body: WebhookInput["body"]): string =>
  body.encoding === "base64" ? Buffer.from(body.text, "base64").toString("utf8") : body.text

export const normalizeWebhook = (webhook: WebhookInput, ctx: NormalizeContext): NormalizationOutcome => {
  const json = parseJson(bodyText(webhook.body))
  if (!json.ok)
    return { _tag: "Failed", reason: `body is not valid JSON: ${json.error}`, parserVersion: PARSER_VERSION }
  const parsed = parsers[ctx.source.kind]({
    topic: webhook.topic,
    body: json.value,
    headers: webhook.headers,
    receivedAt: webhook.receivedAt,
    source: ctx.source
  })
  if (Either.isLeft(parsed)) {
    const { path, message } = parsed.left
    return {
      _tag: "Failed",
      reason: path === undefined ? message : `${path}: ${message}`,
      parserVersion: PARSER_VERSION,
      ...(path === undefined ? {} : { path })
    }
  }
  const result = parsed.right
  if (result._tag === "Skipped") {
    return {
      _tag: "Skipped",
      reason: result.reason,
      parserVersion: PARSER_VERSION,
      ...(webhook.topic === undefined ? {} : { topic: webhook.topic })
    }
  }
  return observe(
    { draft: result, topic: webhook.topic ?? "", parserVersion: PARSER_VERSION, testMode: webhook.testMode },
    ctx
  )
}

/**
 * The same outcome on another order key: for a "billing-alias" outcome whose key an earlier outcome
 * declared as the billingKey of a shop order (see Observed.keyFrom).
 */
export const withOrderKey = (outcome: Observed, orderKey: string): Observed => ({
  ...outcome,
  orderKey,
  keyFrom: "payload",
  ...(outcome.snapshot === undefined ? {} : { snapshot: { ...outcome.snapshot, orderKey } })
})
