// Builders for normalization tests: a WebhookReceived from a fixture file, sources and contexts.
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { PartnerRule, ProductMapping, Source } from "../../src/events/configSchema.js"
import { type NormalizeContext, normalizeWebhook, type WebhookInput } from "../../src/normalize/normalize.js"
import type { NormalizationOutcome, Observed } from "../../src/normalize/outcome.js"

const fixturesDir = fileURLToPath(new URL("../fixtures/", import.meta.url))

export const fixtureText = (path: string): string => readFileSync(`${fixturesDir}${path}`, "utf8")
export const fixtureJson = (path: string): Record<string, unknown> => JSON.parse(fixtureText(path))

export const webhook = (
  sourceId: string,
  text: string,
  topic?: string,
  extra: Partial<WebhookInput> = {}
): WebhookInput => ({
  sourceId,
  body: {
    encoding: "utf8",
    text,
    sha256: createHash("sha256").update(text).digest("hex"),
    bytes: Buffer.byteLength(text)
  },
  headers: topic === undefined ? {} : { "x-topic": topic },
  receivedAt: "2024-12-10T12:00:00.000Z",
  ...(topic === undefined ? {} : { topic }),
  ...extra
})

export const source = (over: Partial<Source> & Pick<Source, "id" | "kind">): Source => ({
  company: "acme",
  enabled: true,
  ...over
})

export const SOURCES = {
  shopDe: source({ id: "shop-de", kind: "shopify", market: "DE" }),
  shopCa: source({ id: "shop-ca", kind: "shopify", company: "acme-ca", market: "CA" }),
  wooPl: source({ id: "woo-pl", kind: "woocommerce", market: "PL" }),
  wooUk: source({ id: "woo-uk", kind: "woocommerce", company: "acme-uk", market: "GB" }),
  stripe: source({ id: "stripe-eu", kind: "stripe", market: "DE" }),
  stripeUk: source({ id: "stripe-uk", kind: "stripe", company: "billing", ordersOf: "woo-uk" }),
  paddle: source({ id: "paddle", kind: "paddle", company: "focus", market: "DE" }),
  paddleShop: source({ id: "paddle-shop", kind: "paddle", company: "billing", ordersOf: "shop-de" }),
  generic: source({ id: "web", kind: "generic", market: "DE" })
} as const

export const PRODUCTS: ReadonlyArray<ProductMapping> = [
  { match: { sku: "VIT-*" }, product: "vitamins" },
  { match: { sku: "OMG-*" }, product: "omega" },
  { match: { source: "stripe-*" }, product: "stripe-checkout" }
]

export const PARTNERS: ReadonlyArray<PartnerRule> = [
  { id: "awin", when: ["awc"] },
  { id: "impact", when: ["irclickid"] },
  { id: "google", when: ["gclid", "gbraid", "wbraid", "utm_source=google"] },
  { id: "meta", when: ["fbclid", "fbc", "utm_source=facebook", "utm_source=instagram"] }
]

export const context = (src: Source, over: Partial<NormalizeContext> = {}): NormalizeContext => ({
  source: src,
  sources: new Map(Object.values(SOURCES).map((s) => [s.id, s])),
  products: PRODUCTS,
  partners: PARTNERS,
  ...over
})

/** Normalizes a fixture file as the given source and topic. */
export const normalizeFixture = (
  path: string,
  src: Source,
  topic?: string,
  over: Partial<NormalizeContext> = {}
): NormalizationOutcome => normalizeWebhook(webhook(src.id, fixtureText(path), topic), context(src, over))

export const observed = (outcome: NormalizationOutcome): Observed => {
  if (outcome._tag !== "Observed") throw new Error(`expected Observed, got ${JSON.stringify(outcome)}`)
  return outcome
}
