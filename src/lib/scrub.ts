// Text and values made safe to leave the process for an error tracker: email addresses and phone
// numbers found the way lib/pii.ts finds them for Slack and the console (URL-encoded or escaped
// addresses, phone numbers as people write them, valid for a market we sell in), plus IP addresses;
// keys that name personal data are dropped. Loaded only when error reporting is on (errorReporting.ts).
import { replacePersonalData } from "./pii.js"

// Eight groups, or a "::" compression; three groups (10:00:31, a time) are not an address.
const IPV6 =
  /\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b|\b(?:[0-9A-Fa-f]{1,4}:)+:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?/g
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g

/** A string without email addresses, phone numbers or IP addresses. */
export const scrubText = (text: string): string =>
  replacePersonalData(text, { email: () => "[email]", phone: () => "[phone]" })
    .replace(IPV6, "[ip]")
    .replace(IPV4, "[ip]")

/** Every string in `value`, however deep, scrubbed; keys that name personal data dropped. */
export const scrubValue = (value: unknown, depth = 0): unknown => {
  if (typeof value === "string") return scrubText(value)
  if (depth > 12 || value === null || typeof value !== "object") return value
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value))
    if (!/^(email|phone|ip_address|ip|cookies?|authorization|password|first_?name|last_?name)$/i.test(key))
      out[key] = scrubValue(v, depth + 1)
  return out
}

/** Sentry's beforeSend: the event without its user, request data or any personal data in its strings. */
export const scrubEvent = <E extends object>(event: E): E => {
  const { user: _user, request, ...rest } = event as Record<string, unknown>
  const kept = request && typeof request === "object" ? { url: (request as { url?: unknown }).url } : undefined
  return scrubValue({ ...rest, ...(kept?.url === undefined ? {} : { request: kept }) }) as E
}
