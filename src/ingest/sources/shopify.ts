// Shopify: X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw body, keyed by the app's client
// secret. After a secret rotation Shopify may keep signing with the old secret for up to an hour, which
// is what `previousSecrets` is for.
//
// Dedup key: X-Shopify-Webhook-Id, falling back to X-Shopify-Event-Id (scoped by topic) when absent.
// - Webhook-Id identifies one delivery (one subscription x one event) and stays the same when Shopify
//   retries that delivery, which is exactly a redelivery of the same event. Shopify's app libraries call
//   it the idempotency key.
// - Event-Id is shared by every delivery produced by the same merchant action: deliveries to several
//   topics (orders/create and orders/paid from one checkout) and possibly several resources. Keying on it
//   could merge two different order webhooks into one and silently drop a conversion, whereas a missed
//   duplicate (two subscriptions to the same topic) only costs an extra record that normalization
//   absorbs (it is idempotent per order state). So it is only a fallback, and never without the topic.
// Shopify signs the body only, not these headers; a replayed body with an edited id is still an
// authentic order state, so the worst case is a duplicate record, never a forged order.
import { verifyBodySignature } from "./bodySignature.js"
import { idText, isRecord, labelText } from "./fields.js"
import { described, type IncomingWebhook, type SourceScheme } from "./types.js"

export const SHOPIFY_SIGNATURE_HEADER = "x-shopify-hmac-sha256"

const dedupKey = (req: IncomingWebhook, topic: string | undefined): string | undefined => {
  const webhookId = idText(req.headers["x-shopify-webhook-id"])
  if (webhookId !== undefined) return `webhook:${webhookId}`
  const eventId = idText(req.headers["x-shopify-event-id"])
  return eventId === undefined ? undefined : `event:${topic ?? "-"}:${eventId}`
}

export const shopify: SourceScheme = {
  kind: "shopify",
  auth: "signature",
  verify: verifyBodySignature(SHOPIFY_SIGNATURE_HEADER),
  describe: (req, json) => {
    const topic = labelText(req.headers["x-shopify-topic"])
    // Orders carry `test: true` for test-gateway orders; other resources have no such flag.
    const test = isRecord(json) && typeof json.test === "boolean" ? json.test : undefined
    return described({ dedupKey: dedupKey(req, topic), topic, testMode: test })
  },
  keptHeaders: [
    "x-shopify-topic",
    "x-shopify-shop-domain",
    "x-shopify-api-version",
    "x-shopify-webhook-id",
    "x-shopify-event-id",
    "x-shopify-triggered-at",
    "x-shopify-name"
  ]
}
