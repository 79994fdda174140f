// What erasure does to one stored event, pure: personal data blanked, everything that says what
// happened (types, times, amounts, order ids, outcomes, digests of the raw body) kept, so the audit
// trail stays whole and readable.
export const ERASED = "[erased]"

type Json = Record<string, unknown>

const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

const eraseBody = (body: unknown) =>
  isRecord(body) ? { encoding: "utf8", text: ERASED, sha256: body.sha256, bytes: body.bytes } : body

const eraseOrder = (order: unknown) => {
  if (!isRecord(order)) return order
  const { clientIp: _ip, userAgent: _ua, ...rest } = order
  return { ...rest, customer: {} }
}

const eraseExchanges = (exchanges: unknown) =>
  Array.isArray(exchanges)
    ? exchanges.map((x: unknown) => {
        if (!isRecord(x)) return x
        const request = isRecord(x.request)
          ? { ...x.request, ...(x.request.body === undefined ? {} : { body: ERASED }) }
          : x.request
        return { ...x, request }
      })
    : exchanges

/**
 * The event's data with the personal data its structure names blanked, or undefined when there is
 * nothing to erase. Values elsewhere in it (a landing URL, a note, a digest in a recorded request)
 * are found and scrubbed across the whole database afterwards (scrub.ts).
 */
export const eraseEventData = (type: string, data: Json): Json | undefined => {
  switch (type) {
    case "WebhookReceived":
    case "WebhookDuplicateReceived":
    case "WebhookRejected": {
      const { remoteAddress: _addr, ...rest } = data
      return { ...rest, body: eraseBody(data.body) }
    }
    case "OrderNormalized":
      return { ...data, order: eraseOrder(data.order) }
    case "DispatchAttempted":
      return { ...data, exchanges: eraseExchanges(data.exchanges) }
    default:
      return undefined
  }
}

/** The same for a conversions view document (doc.order.order is the canonical order). */
export const eraseViewDoc = (doc: Json): Json => {
  const state = isRecord(doc.order) ? doc.order : undefined
  if (state === undefined) return doc
  return { ...doc, order: { ...state, order: eraseOrder(state.order) } }
}
