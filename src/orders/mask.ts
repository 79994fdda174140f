// Masking of personal data for readers without the admin scope (audit, operate, and the CLI without
// --reveal). Deliberately partial: enough of each value stays for an auditor to match it with the
// shop's own records ("l***@example.de", "+49 *** ** 34", "203.0.*.*"), not enough to contact anyone.
// Hashed identifiers (64 hex digits) are already pseudonymous and stay as they are.
import { isIP } from "node:net"
import { parsePhoneNumberFromString } from "libphonenumber-js/max"
import { replacePersonalData } from "../lib/pii.js"

const HASHED = /^[0-9a-f]{64}$/i

const first = (value: string) => Array.from(value.trim())[0] ?? ""

/** The first character and the domain stay; an encoded `@` (`%40`, `%2540`) stays as it was written. */
export const maskEmail = (email: string): string => {
  const at = /@|%(?:25)*40|\\u0040|&#(?:64|x40);/i.exec(email)
  return at === null || at.index <= 0 ? "***" : `${first(email)}***${email.slice(at.index)}`
}

/** The country calling code and the last two digits stay. */
export const maskPhone = (written: string): string => {
  // As written in a URL: %2B is the +, %20 a space.
  const phone = written.replace(/%(?:25)?2B/gi, "+").replace(/%(?:25)?[0-9A-F]{2}/gi, " ")
  const digits = phone.replace(/\D/g, "")
  if (digits.length < 5) return "***"
  const international = /^\s*(\+|00)/.test(phone)
  const parsed = international ? parsePhoneNumberFromString(phone.trim().replace(/^00/, "+")) : undefined
  const prefix = parsed ? `+${parsed.countryCallingCode} ` : international ? "+" : ""
  return `${prefix}*** ** ${digits.slice(-2)}`
}

/** Every word keeps its initial: "Lena Müller" -> "L*** M***". */
export const maskName = (name: string): string =>
  name
    .trim()
    .split(/\s+/)
    .filter((w) => w !== "")
    .map((w) => `${first(w)}***`)
    .join(" ")

export const maskStreet = (street: string): string => (street.trim() === "" ? street : `${first(street)}***`)

/** The postal area (first two characters) stays. */
export const maskZip = (zip: string): string => {
  const z = zip.trim()
  return z.length <= 2 ? "***" : `${z.slice(0, 2)}***`
}

/** IPv4 keeps its /16, IPv6 its first three groups (a network, not a household). */
export const maskIp = (ip: string): string => {
  const value = ip.trim()
  const version = isIP(value)
  if (version === 4) return `${value.split(".").slice(0, 2).join(".")}.*.*`
  if (version === 6) {
    const mapped = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(value)
    if (mapped) return `${mapped[1]}${maskIp(mapped[2]!)}`
    return `${value.split(":").slice(0, 3).join(":")}:*`
  }
  return "***"
}

/**
 * Free text: e-mail addresses (in any encoding) and phone numbers inside it masked (lib/pii.ts); a
 * text that is an IP address masked as one.
 */
export const maskText = (text: string): string =>
  isIP(text.trim()) !== 0 ? maskIp(text) : replacePersonalData(text, { email: maskEmail, phone: maskPhone })

export type PiiKind = "email" | "phone" | "name" | "street" | "zip" | "ip"

const maskers: Record<PiiKind, (value: string) => string> = {
  email: (v) => (v.includes("@") ? maskText(v) : "***"),
  phone: maskPhone,
  name: maskName,
  street: maskStreet,
  zip: maskZip,
  ip: maskIp
}

const tokens = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== "")

const NAME_KEYS = new Set(["firstname", "lastname", "givenname", "familyname", "fullname", "surname", "middlename"])
const NAME_OWNERS = new Set(["billing", "shipping", "customer", "contact", "card", "cardholder", "holder", "recipient"])
const STREET_KEYS = new Set([
  "address1",
  "address2",
  "addressline1",
  "addressline2",
  "line1",
  "line2",
  "street",
  "street1",
  "street2",
  "streetaddress",
  "streetname",
  "housenumber"
])
const ZIP_KEYS = new Set(["zip", "zipcode", "postcode", "postalcode"])

/** What kind of personal data a field name announces, judged from its words ("browser_ip", "billingPhone"). */
export const piiKindOf = (key: string): PiiKind | undefined => {
  const words = tokens(key)
  const joined = words.join("")
  if (words.includes("email") || joined.includes("email")) return "email"
  if (ZIP_KEYS.has(joined) || words.includes("zip") || words.includes("postcode")) return "zip"
  if (words.some((w) => w === "phone" || w === "mobile" || w === "telephone" || w === "tel" || w === "fax"))
    return "phone"
  if (joined.includes("phone")) return "phone"
  if (words.includes("ip") || joined.endsWith("ipaddress")) return "ip"
  if (NAME_KEYS.has(joined) || (words.at(-1) === "name" && words.length > 1 && NAME_OWNERS.has(words[0]!)))
    return "name"
  if (STREET_KEYS.has(joined) || STREET_KEYS.has(words.filter((w) => w !== "billing" && w !== "shipping").join("")))
    return "street"
  return undefined
}

// A bare "name" is a person's only in a person-like object: one with an address or name parts, or
// under a key that names a person (Stripe's shipping_details, Paddle's customer). An order's "name"
// (#1042) beside its contact e-mail is not, nor a line item's or a note attribute's.
const PERSON_OWNERS = new Set(["customer", "recipient", "buyer", "payer", "contact", "cardholder", "details"])

const isPersonLike = (object: Readonly<Record<string, unknown>>, owner: string | undefined) =>
  (owner !== undefined && PERSON_OWNERS.has(tokens(owner).at(-1) ?? "")) ||
  Object.keys(object).some((k) => {
    const kind = piiKindOf(k)
    return k === "address" || kind === "street" || kind === "zip" || kind === "name"
  })

const maskAs = (kind: PiiKind, value: unknown): unknown => {
  if (typeof value === "string") return value === "" || HASHED.test(value) ? value : maskers[kind](value)
  if (typeof value === "number" || typeof value === "bigint") return maskers[kind](String(value))
  if (Array.isArray(value)) return value.map((v) => maskAs(kind, v))
  if (value !== null && typeof value === "object") return maskJson(value)
  return value
}

/** A parsed JSON document with its personal fields masked; everything else as it was. */
export const maskJson = (value: unknown, owner?: string): unknown => {
  if (typeof value === "string") return maskText(value)
  if (Array.isArray(value)) return value.map((v) => maskJson(v, owner))
  if (value === null || typeof value !== "object") return value
  const object = value as Record<string, unknown>
  const personLike = isPersonLike(object, owner)
  // Key/value entries (Shopify note_attributes, WooCommerce meta_data): the entry's name says what its value is.
  const label = typeof object.key === "string" ? object.key : typeof object.name === "string" ? object.name : undefined
  const entryKind = label === undefined || !("value" in object) ? undefined : piiKindOf(label)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(object)) {
    const kind = k === "value" && entryKind ? entryKind : piiKindOf(k)
    if (kind === "street" && typeof v === "object" && v !== null) out[k] = maskJson(v, k)
    else if (kind !== undefined) out[k] = maskAs(kind, v)
    else if (k === "name" && personLike && typeof v === "string") out[k] = maskName(v)
    else if (k === "address" && typeof v === "string") out[k] = maskStreet(v)
    else out[k] = maskJson(v, k)
  }
  return out
}
