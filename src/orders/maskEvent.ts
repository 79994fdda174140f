// Events as a reader without the admin scope sees them: raw webhook bodies, the canonical order's
// customer fields, client IPs and the bodies of dispatch exchanges masked (mask.ts); everything an
// auditor reasons with (ids, amounts, tracking, decisions, statuses, timings, hashes) kept.
import type { CanonicalOrder, Customer } from "../events/CanonicalOrder.js"
import type { HttpExchange } from "../events/dispatch.js"
import type { AppEvent } from "../events/Events.js"
import type { RawBody } from "../events/webhook.js"
import { parseJson } from "../lib/json.js"
import { maskEmail, maskIp, maskJson, maskName, maskPhone, maskText, maskZip } from "./mask.js"

const placeholder = (bytes: number, sha256: string) => `[masked: ${bytes} bytes, sha256 ${sha256}]`

/** A JSON body re-rendered with its personal fields masked; any other body replaced by a placeholder. */
export const maskRawBody = (body: RawBody): RawBody => {
  if (body.encoding !== "utf8") return { ...body, text: placeholder(body.bytes, body.sha256) }
  const parsed = parseJson(body.text)
  return {
    ...body,
    text: parsed.ok ? JSON.stringify(maskJson(parsed.value)) : placeholder(body.bytes, body.sha256)
  }
}

/** An outbound body or response: JSON masked field by field, other text (forms, HTML) for e-mails and IPs. */
const maskPayloadText = (text: string): string => {
  const trimmed = text.trimStart()
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    const parsed = parseJson(text)
    if (parsed.ok) return JSON.stringify(maskJson(parsed.value))
  }
  return maskText(text)
}

const maskExchange = (exchange: HttpExchange): HttpExchange => {
  const { request, response } = exchange
  return {
    ...exchange,
    request: {
      ...request,
      url: maskText(request.url),
      ...(request.body === undefined ? {} : { body: maskPayloadText(request.body) })
    },
    ...(response === undefined ? {} : { response: { ...response, body: maskPayloadText(response.body) } })
  }
}

const masked = <K extends keyof Customer>(customer: Customer, key: K, f: (value: string) => string) => {
  const value = customer[key]
  return value === undefined ? {} : { [key]: f(value) }
}

export const maskCustomer = (customer: Customer): Customer => ({
  ...customer,
  ...masked(customer, "email", maskEmail),
  ...masked(customer, "phone", maskPhone),
  ...masked(customer, "firstName", maskName),
  ...masked(customer, "lastName", maskName),
  ...masked(customer, "zip", maskZip)
})

/**
 * Free-text tracking values masked (landing URL, referrer, utm values, coupon: an email or a phone
 * number can hide in any of them); click ids stay, auditors match them with the partners' reports.
 */
export const maskTracking = (tracking: CanonicalOrder["tracking"]): CanonicalOrder["tracking"] => {
  const { landingUrl, referrer, coupon } = tracking
  return {
    ...tracking,
    utm: Object.fromEntries(
      Object.entries(tracking.utm).map(([k, v]) => [k, v === undefined ? v : maskText(v)])
    ) as CanonicalOrder["tracking"]["utm"],
    ...(landingUrl === undefined ? {} : { landingUrl: maskText(landingUrl) }),
    ...(referrer === undefined ? {} : { referrer: maskText(referrer) }),
    ...(coupon === undefined ? {} : { coupon: maskText(coupon) })
  }
}

export const maskOrder = (order: CanonicalOrder): CanonicalOrder => ({
  ...order,
  customer: maskCustomer(order.customer),
  ...(order.clientIp === undefined ? {} : { clientIp: maskIp(order.clientIp) }),
  tracking: maskTracking(order.tracking)
})

export const maskEvent = (event: AppEvent): AppEvent => {
  switch (event._tag) {
    case "WebhookReceived":
    case "WebhookDuplicateReceived":
      return { ...event, body: maskRawBody(event.body) }
    case "WebhookRejected":
      return { ...event, body: maskRawBody(event.body), reason: maskText(event.reason) }
    case "NormalizationFailed":
      return { ...event, reason: maskText(event.reason) }
    case "OrderNormalized":
      return { ...event, order: maskOrder(event.order) }
    case "DispatchAttempted":
      return { ...event, exchanges: event.exchanges.map(maskExchange) }
    case "DispatchFailed":
    case "DispatchDeadLettered":
      return { ...event, message: maskText(event.message) }
    case "AlertRaised":
      return {
        ...event,
        summary: maskText(event.summary),
        details: maskJson(event.details) as Record<string, unknown>,
        ...(event.landingUrl === undefined ? {} : { landingUrl: maskText(event.landingUrl) })
      }
    default:
      return event
  }
}
