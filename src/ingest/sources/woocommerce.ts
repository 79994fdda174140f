// WooCommerce: X-WC-Webhook-Signature is the base64 HMAC-SHA256 of the exact JSON body sent.
//
// Creation ping: when a webhook is saved, WooCommerce posts the form body `webhook_id=<id>` without any
// signature and refuses to activate the webhook unless the answer is exactly 200. It carries no order,
// so it is answered and never recorded; the test is strict so that nothing else slips through unsigned.
//
// Dedup key: X-WC-Webhook-Delivery-ID is a fresh hash per delivery and WooCommerce never retries, so the
// key describes the resource state instead: resource, id, status, date_modified, plus the refund ids,
// because a partial refund fires order.updated without necessarily changing the status or the order's
// modification time (and would otherwise be taken for a duplicate). date_modified has one-second
// resolution; two non-refund edits with the same status within one second would share a key.
// Deletions (`{"id": N}` only) and payloads without id or date get no key: they are always recorded,
// since a wrong dedup loses a state change while a missed one costs one idempotent re-normalization.
import { verifyBodySignature } from "./bodySignature.js"
import { compositeKey, idText, isRecord, labelText, mediaType } from "./fields.js"
import { described, type IncomingWebhook, type SourceScheme } from "./types.js"

export const WOOCOMMERCE_SIGNATURE_HEADER = "x-wc-webhook-signature"

const PING_BODY = /^webhook_id=\d{1,20}$/

export const isWooCommercePing = (req: IncomingWebhook): boolean =>
  mediaType(req.contentType) === "application/x-www-form-urlencoded" &&
  req.body.length <= 32 &&
  PING_BODY.test(Buffer.from(req.body).toString("latin1"))

const refundIds = (refunds: unknown): ReadonlyArray<string> =>
  Array.isArray(refunds)
    ? refunds
        .flatMap((refund) => {
          const id = isRecord(refund) ? idText(refund.id) : undefined
          return id === undefined ? [] : [id]
        })
        .sort()
    : []

const dedupKey = (req: IncomingWebhook, json: unknown, topic: string | undefined): string | undefined => {
  const [topicResource, topicEvent] = topic?.split(".") ?? []
  const event = idText(req.headers["x-wc-webhook-event"]) ?? idText(topicEvent)
  if (event === "deleted" || !isRecord(json)) return undefined
  const id = idText(json.id)
  const modified = idText(json.date_modified) ?? idText(json.date_modified_gmt)
  if (id === undefined || modified === undefined) return undefined
  const resource = idText(req.headers["x-wc-webhook-resource"]) ?? idText(topicResource) ?? "resource"
  const refunds = refundIds(json.refunds)
  return compositeKey([
    resource,
    id,
    idText(json.status) ?? "-",
    modified,
    ...(refunds.length > 0 ? [`refunds=${refunds.join(",")}`] : [])
  ])
}

export const woocommerce: SourceScheme = {
  kind: "woocommerce",
  auth: "signature",
  isPing: isWooCommercePing,
  verify: verifyBodySignature(WOOCOMMERCE_SIGNATURE_HEADER),
  describe: (req, json) => {
    const topic = labelText(req.headers["x-wc-webhook-topic"])
    return described({ dedupKey: dedupKey(req, json, topic), topic })
  },
  keptHeaders: [
    "x-wc-webhook-topic",
    "x-wc-webhook-resource",
    "x-wc-webhook-event",
    "x-wc-webhook-source",
    "x-wc-webhook-id",
    "x-wc-webhook-delivery-id"
  ]
}
