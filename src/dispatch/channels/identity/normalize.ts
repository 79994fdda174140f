// PII normalization shared by every channel that hashes customer data (Meta CAPI, Google Ads).
// Pure functions: each returns the value in the platform's documented form, or undefined when the
// input cannot be put in that form. An identifier we cannot normalize is dropped, never guessed:
// a wrong hash is worse than none (it cannot match and it still leaves the service).
import { createHash } from "node:crypto"
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max"
import { CA_PROVINCES, US_STATES } from "./regions.js"

/** SHA-256 of the UTF-8 bytes, lower-case hex: the digest form both Meta and Google document. */
export const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex")

const SHA256_HEX = /^[a-f0-9]{64}$/

/** Shops and CDPs sometimes hand us digests already; hashing those again would never match. */
export const looksHashed = (value: string): boolean => SHA256_HEX.test(value.trim().toLowerCase())

/** Normalizes then hashes; a value that already is a SHA-256 hex digest passes through (lower-cased). */
export const hashWith = (
  raw: string | undefined,
  normalize: (value: string) => string | undefined
): string | undefined => {
  if (raw === undefined) return undefined
  const trimmed = raw.trim()
  if (trimmed === "") return undefined
  if (looksHashed(trimmed)) return trimmed.toLowerCase()
  const normalized = normalize(trimmed)
  return normalized === undefined || normalized === "" ? undefined : sha256Hex(normalized)
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Meta `em`: trim leading/trailing spaces, lower case; nothing else (John_Smith@gmail.com -> john_smith@gmail.com). */
export const metaEmail = (raw: string): string | undefined => {
  const value = raw.trim().toLowerCase()
  return EMAIL.test(value) ? value : undefined
}

const GMAIL_DOMAINS = new Set(["gmail.com", "googlemail.com"])

/**
 * Google (Data Manager formatting guide, applied to the Ads API too): lower case, every whitespace
 * removed; for gmail.com / googlemail.com only, dots removed from the local part and a `+suffix` cut
 * (cloudy.sanfrancisco+shopping@gmail.com -> cloudysanfrancisco@gmail.com). Other domains keep both.
 */
export const googleEmail = (raw: string): string | undefined => {
  const value = raw.toLowerCase().replace(/\s+/g, "")
  if (!EMAIL.test(value)) return undefined
  const at = value.lastIndexOf("@")
  const domain = value.slice(at + 1)
  if (!GMAIL_DOMAINS.has(domain)) return value
  const local = (value.slice(0, at).split("+")[0] ?? "").replaceAll(".", "")
  return local === "" ? undefined : `${local}@${domain}`
}

/**
 * E.164 (`+4930123456`) with libphonenumber's full ("max") metadata, which validates landlines of
 * variable length (DE, AT) as strictly as mobiles. `region` (ISO alpha-2) is used only for numbers
 * written without an international prefix. Invalid numbers are dropped: a plausible-looking but wrong
 * number would be hashed and sent as if it were the customer's.
 */
export const toE164 = (raw: string, region: string | undefined): string | undefined => {
  const upper = region?.trim().toUpperCase()
  const defaultCountry: CountryCode | undefined = upper && isSupportedCountry(upper) ? upper : undefined
  const parsed = parsePhoneNumberFromString(raw, {
    ...(defaultCountry === undefined ? {} : { defaultCountry }),
    extract: false
  })
  return parsed?.isValid() ? parsed.number : undefined
}

/**
 * Meta `ph`: digits only with the country code, no `+` and no leading zeros (16505551212). E.164
 * already has no leading zero before the country code, and keeps Italy's significant leading zero
 * after it (+39 06...), so dropping the `+` is exactly Meta's form.
 */
export const metaPhone = (e164: string): string => e164.replace(/^\+/, "")

/** Google `phoneNumber` / `hashed_phone_number`: E.164 with the `+` (+18005550100). */
export const googlePhone = (e164: string): string => e164

/** Lower case in Unicode NFC, so "Valéry" typed with a combining accent hashes like the precomposed one. */
const lower = (raw: string) => raw.normalize("NFC").toLowerCase()

/**
 * Meta `fn` / `ln`: lower case, no punctuation, UTF-8 letters kept (Valéry -> valéry). Whitespace is
 * removed too, as Meta's own normalizer (capi-param-builder) does, so "Mary Ann" -> "maryann".
 */
export const metaName = (raw: string): string | undefined => {
  const value = lower(raw).replace(/[\p{P}\p{S}\p{Z}\p{C}\s]/gu, "")
  return value === "" ? undefined : value
}

/** Meta `ct`: lower case, no punctuation, special characters, digits or spaces (New York -> newyork). */
export const metaCity = (raw: string): string | undefined => {
  const value = lower(raw).replace(/[^\p{L}\p{M}]/gu, "")
  return value === "" ? undefined : value
}

const lettersOnly = (raw: string) => lower(raw).replace(/[^\p{L}\p{M}\p{N}]/gu, "")

/**
 * Meta `st`: US: the 2-letter ANSI code in lower case (full names mapped; anything else dropped);
 * elsewhere lower case without punctuation, special characters or spaces. Canadian province names
 * are mapped to their codes like Meta's own normalizer does. ISO 3166-2 values ("US-CA") lose the
 * country prefix.
 */
export const metaState = (raw: string, country: string | undefined): string | undefined => {
  const iso = /^([A-Za-z]{2})-([A-Za-z0-9]{1,3})$/.exec(raw.trim())
  const value = iso ? (iso[2] ?? "") : raw
  const cleaned = lettersOnly(value)
  if (cleaned === "") return undefined
  const cc = country?.toUpperCase()
  if (cc === "US") return /^[a-z]{2}$/.test(cleaned) ? cleaned : US_STATES[cleaned]
  if (cc === "CA") return CA_PROVINCES[cleaned] ?? cleaned
  return cleaned
}

/**
 * Meta `zp`: lower case, no spaces, no dash. US: the first 5 digits only (94035-1234 -> 94035).
 * UK: Meta asks for the "area, district, and sector format" and gives `m11ae` (M1 1AE) as the
 * example, i.e. the whole postcode without its space; we follow the example.
 */
export const metaZip = (raw: string, country: string | undefined): string | undefined => {
  if (country?.toUpperCase() === "US") {
    const digits = /^\s*(\d{5})(?:[\s-]*\d{4})?\s*$/.exec(raw)
    return digits?.[1]
  }
  // \u2013 (en dash) written as an escape: one non-ASCII character makes V8 hold the whole bundle's
  // source as a two-byte string.
  const value = lower(raw).replace(/[\s\-\u2013]/g, "")
  return /^[\p{L}\p{N}]{2,}$/u.test(value) ? value : undefined
}

/** Meta `country`: ISO 3166-1 alpha-2 in lower case. */
export const metaCountry = (raw: string): string | undefined => {
  const value = raw.trim().toLowerCase()
  return /^[a-z]{2}$/.test(value) ? value : undefined
}

/**
 * Meta `external_id`: hashing is recommended, and the value must match what the pixel sends; we use
 * Meta's own normalizer's form (trimmed, lower case, no whitespace) before hashing.
 */
export const metaExternalId = (raw: string): string | undefined => {
  const value = raw.toLowerCase().replace(/\s+/g, "")
  return value === "" ? undefined : value
}
