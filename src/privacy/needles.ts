// One data subject's own values, in every form they take where s2s stores text: the email as
// written, URL-encoded once or more (`%40`, `%2540`), JSON-escaped (`\u0040`), with a `+` that a
// form decoder turned into a space, in any letter case; each phone number as people write it
// (`0151 23456789`, `+49 (0)151 2345-6789`, `0049-151-23456789`, `0151/23456789`, `%2B4915123456789`,
// `0151%2023456789`); and the SHA-256 digests channels sent (Meta's and Google's normal forms).
// Pure: erase.ts finds them anywhere in the database and replaces each with ERASED.
import { createHash } from "node:crypto"
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max"

export const ERASED = "[erased]"

export interface SubjectNeedles {
  /** Global, case-insensitive patterns; every match is personal data of the subject. */
  readonly patterns: ReadonlyArray<RegExp>
  /**
   * Cheap SQL pre-filters (POSIX regular expressions, matched with `~*` on a column's text): a row
   * that matches none cannot hold a needle. Wider than the patterns, never narrower.
   */
  readonly sqlFilters: ReadonlyArray<string>
  /** The phone numbers the patterns cover, E.164 (for the plan and the record's count). */
  readonly phones: ReadonlyArray<string>
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
const hex2 = (byte: number) => byte.toString(16).padStart(2, "0")

/** One character as written, URL-encoded any number of times, or JSON-escaped. */
const anyForm = (char: string): string => {
  const bytes = [...Buffer.from(char, "utf8")]
  const encoded = bytes.map((b) => `%(?:25)*${hex2(b)}`).join("")
  const forms = [escapeRegExp(char), encoded]
  if (bytes.length === 1) forms.push(`\\\\u00${hex2(bytes[0]!)}`)
  if (char === "@") forms.push("&#64;", "&#x40;")
  // A form field's `+` arrives as a space once a query string is decoded.
  if (char === "+") forms.push(" ")
  return `(?:${forms.join("|")})`
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase()

export const emailPattern = (email: string): RegExp =>
  new RegExp(Array.from(normalizeEmail(email), anyForm).join(""), "gi")

// What people and URL encoders put between the digits of a phone number.
const SEP = String.raw`(?:[ \t\u00a0\-./()+]|%(?:25)*(?:20|2[bBdDeEfF]|28|29))`

const digitsPattern = (digits: string) => Array.from(digits).join(`${SEP}{0,4}`)

/**
 * A phone number in its written forms: the national significant number's digits in order, with
 * separators between them, optionally after the country code (`+`, `00`, `%2B`) or the trunk `0`.
 * Never inside a longer digit run.
 */
export const phonePattern = (e164: string): RegExp | undefined => {
  const parsed = parsePhoneNumberFromString(e164)
  if (parsed === undefined) return undefined
  const national = parsed.nationalNumber
  if (national.length < 6) return undefined
  const cc = digitsPattern(parsed.countryCallingCode)
  // The country code, with its + or 00, or bare (Meta's form: E.164 digits without the +).
  const international = String.raw`(?:(?:\+|%(?:25)*2[bB]|00)${SEP}{0,4})?${cc}${SEP}{0,4}(?:\(0\)${SEP}{0,4})?`
  return new RegExp(`(?<![0-9])(?:${international}|0${SEP}{0,4})?${digitsPattern(national)}(?![0-9])`, "gi")
}

/** A phone number as E.164, or undefined when it is not a valid number (for its market). */
export const phoneE164 = (raw: string, market: string | undefined): string | undefined => {
  const upper = market?.toUpperCase()
  const country: CountryCode | undefined = upper !== undefined && isSupportedCountry(upper) ? upper : undefined
  const parsed = parsePhoneNumberFromString(raw.trim().replace(/^00/, "+"), country)
  return parsed?.isValid() ? parsed.number : undefined
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

/** The digests channels send for these values (Meta: trimmed lower-case email, E.164 without +; Google: with +, gmail dots and +suffix cut). */
export const digestsOf = (email: string, phones: ReadonlyArray<string>): ReadonlyArray<string> => {
  const normalized = normalizeEmail(email)
  const at = normalized.lastIndexOf("@")
  const domain = normalized.slice(at + 1)
  const gmail =
    domain === "gmail.com" || domain === "googlemail.com"
      ? `${(normalized.slice(0, at).split("+")[0] ?? "").replaceAll(".", "")}@${domain}`
      : normalized
  return [
    ...new Set([sha256(normalized), sha256(gmail), ...phones.flatMap((p) => [sha256(p), sha256(p.replace(/^\+/, ""))])])
  ]
}

/**
 * A run of the email's letters and digits, present in every form the pattern matches: the local
 * part's longest (the domain's would match every customer of gmail.com), else the address's.
 */
const emailFilter = (email: string): string => {
  const normalized = normalizeEmail(email)
  const longestOf = (text: string) => text.split(/[^a-z0-9]+/).reduce((a, b) => (b.length > a.length ? b : a), "")
  const local = longestOf(normalized.slice(0, Math.max(0, normalized.lastIndexOf("@"))))
  const longest = local.length >= 4 ? local : longestOf(normalized)
  // A very short run would match half the log; the regex below is the fallback then.
  return longest.length >= 4
    ? escapeRegExp(longest)
    : Array.from(normalizeEmail(email), (c) => `${escapeRegExp(c)}.{0,12}`).join("")
}

export const subjectNeedles = (email: string, phones: ReadonlyArray<string>): SubjectNeedles => {
  const e164 = [...new Set(phones)]
  const phonePatterns = e164.flatMap((p) => phonePattern(p) ?? [])
  const digests = digestsOf(email, e164)
  return {
    patterns: [emailPattern(email), ...phonePatterns, ...digests.map((d) => new RegExp(d, "gi"))],
    sqlFilters: [
      emailFilter(email),
      ...e164.flatMap((p) => {
        const national = parsePhoneNumberFromString(p)?.nationalNumber
        return national === undefined || national.length < 6 ? [] : [Array.from(national).join("[^0-9]{0,12}")]
      }),
      ...digests
    ],
    phones: e164
  }
}

/** The text with every needle replaced by ERASED. */
export const scrubText = (text: string, needles: SubjectNeedles): string =>
  needles.patterns.reduce((acc, pattern) => acc.replace(pattern, ERASED), text)

/** A JSON value with every string (and object key) scrubbed; the same value when nothing matched. */
export const scrubJson = (value: unknown, needles: SubjectNeedles): unknown => {
  if (typeof value === "string") return scrubText(value, needles)
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, needles))
  if (value === null || typeof value !== "object") return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[scrubText(k, needles)] = scrubJson(v, needles)
  return out
}

/** [start, end) of every string literal (quotes included) in JSON text. */
const stringSpans = (json: string): Array<readonly [number, number]> => {
  const spans: Array<readonly [number, number]> = []
  for (let i = 0; i < json.length; i++) {
    if (json[i] !== '"') continue
    const start = i
    for (i++; i < json.length && json[i] !== '"'; i++) if (json[i] === "\\") i++
    spans.push([start, i + 1])
  }
  return spans
}

/**
 * JSON text with every needle replaced, without parsing it (a parse and re-serialization would round
 * 64-bit integers elsewhere in the document): inside a string a match becomes ERASED, a match that is
 * a bare number (a phone stored as a JSON number) becomes the string "[erased]".
 */
export const scrubJsonText = (json: string, needles: SubjectNeedles): string =>
  needles.patterns.reduce((text, pattern) => {
    pattern.lastIndex = 0
    if (!pattern.test(text)) return text
    pattern.lastIndex = 0
    const spans = stringSpans(text)
    return text.replace(pattern, (match: string, ...rest: Array<unknown>) => {
      const offset = rest.find((r): r is number => typeof r === "number") ?? 0
      const inString = spans.some(([a, b]) => offset > a && offset + match.length < b)
      return inString ? ERASED : JSON.stringify(ERASED)
    })
  }, json)

/** Whether any needle occurs in the text. */
export const mentions = (text: string, needles: SubjectNeedles): boolean =>
  needles.patterns.some((pattern) => {
    pattern.lastIndex = 0
    const found = pattern.test(text)
    pattern.lastIndex = 0
    return found
  })
