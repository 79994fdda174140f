// Personal data inside free text (order notes, note attributes, landing URLs, campaign names, a
// partner's error message), in the forms it takes there: an email with its `@` as is, URL-encoded
// (`%40`), double-encoded (`%2540`) or JSON-escaped (`\u0040`); a phone number as people write it
// (`0151 23456789`, `+49 (0)151 2345-6789`, `0049 151 23456789`, `0151/23456789`, `(415) 555-2671`,
// URL-encoded `%2B49...` / `0151%2023456789`). Used to mask text for readers without the admin scope
// and in Slack alerts. (Erasure looks for one subject's own values instead: privacy/needles.ts.)
//
// Phone numbers are recognised only where they are written like phone numbers (an international
// prefix, a trunk 0 or a NANP area code in parentheses) and valid for a market s2s sells in
// (libphonenumber-js's full metadata): bare digit runs (order numbers, ids, IPs, timestamps, cookie
// values) are left alone.
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/max"

/** `@` as written, URL-encoded once or twice, or JSON/HTML-escaped. */
const AT = String.raw`(?:@|%40|%2540|%252540|\\u0040|&#64;|&#x40;)`
// The local part's characters, some URL-encoded (+ - . _), but no other encoded delimiter: in
// `?u=%3Femail%3Djane%40x.de` the address starts after %3D.
const LOCAL = String.raw`(?:[A-Za-z0-9._+\-]|%(?:25)*(?:2[bBdDeE]|5[fF]))+`
const EMAIL_SOURCE = String.raw`(?<!%|%[0-9A-Fa-f])${LOCAL}${AT}[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`

export interface Found {
  readonly start: number
  readonly end: number
  readonly text: string
}

const all = (pattern: RegExp, text: string): Array<Found> =>
  Array.from(text.matchAll(pattern), (m) => ({ start: m.index, end: m.index + m[0].length, text: m[0] }))

/** Bounded first: the patterns backtrack on long runs, and no note needs more. */
const MAX_SCAN = 100_000

export const findEmails = (text: string): ReadonlyArray<Found> =>
  text.length > MAX_SCAN ? [] : all(new RegExp(EMAIL_SOURCE, "gi"), text)

/** The email with its `@` decoded, for display: `jane%40example.com` -> `jane@example.com`. */
export const decodedEmail = (email: string): string =>
  email.replace(new RegExp(AT, "i"), "@").replace(/%25/gi, "%").replace(/%2B/gi, "+")

// Separators people put between digits, also URL-encoded (a space as %20, %2520, or + in a query).
const SEP = String.raw`(?:[ \u00a0\-./()]|\+(?=\d)|%20|%2520|%2F|%252F|%28|%29)`
const START = String.raw`(?:\+|%2B|%252B|00|\(0|0|\(\d{3}\))`
const PHONE_CANDIDATE = new RegExp(String.raw`(?<![0-9A-Za-z%])${START}(?:${SEP}{0,3}\d){6,15}(?![0-9A-Za-z])`, "gi")
const DATE = /^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/

/** Where a phone number written without a country code may be from: the markets s2s sells in. */
const MARKETS: ReadonlyArray<CountryCode> = [
  "DE",
  "AT",
  "CH",
  "FR",
  "BE",
  "NL",
  "LU",
  "IT",
  "ES",
  "PT",
  "PL",
  "SE",
  "DK",
  "GB",
  "IE",
  "US",
  "CA"
]

/** The candidate as a dialable string: encodings and separators gone, a leading `+` kept. */
const dialable = (candidate: string) => {
  const plain = candidate.replace(/%(?:25)?2B/gi, "+").replace(/%(?:25)?(?:20|2F|28|29)/gi, " ")
  // Only a leading + is the international prefix; any other is a query string's space.
  return `${plain.slice(0, 1)}${plain.slice(1).replaceAll("+", " ")}`.replace(/^00/, "+")
}

const isPhone = (candidate: string, markets: ReadonlyArray<CountryCode>): boolean => {
  const number = dialable(candidate)
  if (DATE.test(number.trim())) return false
  if (number.startsWith("+")) return parsePhoneNumberFromString(number)?.isValid() === true
  return markets.some((country) => parsePhoneNumberFromString(number, country)?.isValid() === true)
}

export const findPhones = (text: string, markets: ReadonlyArray<CountryCode> = MARKETS): ReadonlyArray<Found> =>
  text.length > MAX_SCAN ? [] : all(PHONE_CANDIDATE, text).filter((f) => isPhone(f.text, markets))

/** Whether the text holds an email address or a phone number. */
export const hasPersonalData = (text: string): boolean => findEmails(text).length > 0 || findPhones(text).length > 0

/** The text with every email and phone number found replaced. */
export const replacePersonalData = (
  text: string,
  replace: { readonly email: (found: string) => string; readonly phone: (found: string) => string }
): string => {
  const emails = findEmails(text)
  const found = [
    ...emails.map((f) => ({ ...f, kind: "email" as const })),
    // A phone inside an email's local part (0151234567@example.de) is the email's.
    ...findPhones(text)
      .filter((p) => !emails.some((e) => p.start < e.end && p.end > e.start))
      .map((f) => ({ ...f, kind: "phone" as const }))
  ].sort((a, b) => a.start - b.start)
  if (found.length === 0) return text
  let out = ""
  let at = 0
  for (const f of found) {
    if (f.start < at) continue
    out += text.slice(at, f.start) + (f.kind === "email" ? replace.email(f.text) : replace.phone(f.text))
    at = f.end
  }
  return out + text.slice(at)
}
