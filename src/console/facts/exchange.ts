// What a recorded dispatch exchange says, read from the request sent and the response received:
// which identifiers went out (names, never values) and whether the platform acknowledged the event.
// Field names are the platforms' own: Meta's user_data (em, ph, fn, ..., fbc, fbp, client_ip_address,
// client_user_agent), Data Manager's userIdentifiers / adIdentifiers, the Google Ads API's
// ClickConversion (gclid, hashed_email, ...). A postback's click id sits in a URL template the
// request does not name, so postbacks report none here (match quality reads the target's template).
import type { HttpExchange } from "../../events/dispatch.js"
import { parseJson } from "../../lib/json.js"

export const IDENTIFIERS = [
  "email",
  "phone",
  "address",
  "external_id",
  "click_id",
  "browser_id",
  "ip",
  "user_agent"
] as const
export type Identifier = (typeof IDENTIFIERS)[number]

const KEYS: Readonly<Record<string, Identifier>> = {
  em: "email",
  emailAddress: "email",
  hashed_email: "email",
  ph: "phone",
  phoneNumber: "phone",
  hashed_phone_number: "phone",
  fn: "address",
  ln: "address",
  ct: "address",
  st: "address",
  zp: "address",
  address: "address",
  address_info: "address",
  external_id: "external_id",
  gclid: "click_id",
  gbraid: "click_id",
  wbraid: "click_id",
  fbc: "click_id",
  fbp: "browser_id",
  client_ip_address: "ip",
  userIpAddress: "ip",
  client_user_agent: "user_agent",
  userAgent: "user_agent"
}

const filled = (value: unknown): boolean =>
  typeof value === "string"
    ? value.trim() !== ""
    : Array.isArray(value)
      ? value.some(filled)
      : value !== null && typeof value === "object"
        ? Object.values(value).some(filled)
        : typeof value === "number"

const collect = (value: unknown, found: Set<Identifier>, depth: number) => {
  if (depth > 8 || value === null || typeof value !== "object") return
  if (Array.isArray(value)) {
    for (const item of value) collect(item, found, depth + 1)
    return
  }
  for (const [key, child] of Object.entries(value)) {
    const identifier = KEYS[key]
    if (identifier !== undefined && filled(child)) found.add(identifier)
    else collect(child, found, depth + 1)
  }
}

/** The identifiers in the request's JSON body, in IDENTIFIERS order. */
export const identifiersSent = (exchange: HttpExchange | undefined): ReadonlyArray<Identifier> => {
  const body = exchange?.request.body
  if (body === undefined) return []
  const parsed = parseJson(body)
  if (!parsed.ok) return []
  const found = new Set<Identifier>()
  collect(parsed.value, found, 0)
  return IDENTIFIERS.filter((i) => found.has(i))
}

const jsonOf = (text: string): Record<string, unknown> | undefined => {
  const parsed = parseJson(text)
  return parsed.ok && parsed.value !== null && typeof parsed.value === "object" && !Array.isArray(parsed.value)
    ? (parsed.value as Record<string, unknown>)
    : undefined
}

/**
 * The platform's own word that it took the event, from the response: Meta's events_received (at least
 * 1), Data Manager's requestId, the Google Ads API's results without partial failures, a postback's
 * 2xx. Undefined when the response says none of that.
 */
export const acknowledgement = (channel: string, exchange: HttpExchange | undefined): string | undefined => {
  const response = exchange?.response
  if (response === undefined || response.status < 200 || response.status >= 300) return undefined
  if (channel === "postback") return `HTTP ${response.status}`
  const body = jsonOf(response.body)
  if (body === undefined) return undefined
  if (channel === "meta-capi")
    return typeof body.events_received === "number" && body.events_received >= 1
      ? `events_received=${body.events_received}`
      : undefined
  if (channel === "google-ads") {
    if (typeof body.requestId === "string" && body.requestId !== "") return `requestId=${body.requestId}`
    const results = Array.isArray(body.results) ? body.results.filter(filled).length : 0
    return results > 0 && body.partial_failure_errors === undefined ? `results=${results}` : undefined
  }
  return undefined
}
