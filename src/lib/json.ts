// JSON from untrusted senders: bounded nesting (a 100 000-deep array parses fine on Node 20 but then
// crashes JSON.stringify and every recursive walk), integers beyond 2^53 kept exactly as strings
// (Shopify ids lose digits as numbers), no "__proto__" / "constructor" keys in the result, and no
// U+0000 and no lone surrogate in any string: `\u0000` and `\ud800` without its low half read as
// U+FFFD, since PostgreSQL's jsonb (every event) cannot hold them and a value carrying one could
// never be recorded. (The raw body keeps the exact bytes.)
export interface JsonLimits {
  readonly maxDepth: number
}
export const DEFAULT_LIMITS: JsonLimits = { maxDepth: 64 }

export type JsonParse = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string }

/** The code unit of a `\\uXXXX` escape starting at `at`, else undefined. */
const unicodeEscape = (text: string, at: number): number | undefined => {
  if (text.charCodeAt(at) !== 92 || text.charCodeAt(at + 1) !== 117 /* u */) return undefined
  const hex = text.slice(at + 2, at + 6)
  return /^[0-9a-fA-F]{4}$/.test(hex) ? Number.parseInt(hex, 16) : undefined
}

const isLow = (unit: number | undefined) => unit !== undefined && unit >= 0xdc00 && unit <= 0xdfff

/**
 * One pass over the text: checks the depth, quotes unsafe integers so JSON.parse keeps their digits
 * and turns the escape `\u0000` and lone surrogate escapes (`\ud800` without its pair) into
 * `\ufffd`. Strings are otherwise copied verbatim (escapes included), so the parse is otherwise
 * JSON.parse's.
 */
const prepare = (text: string, limits: JsonLimits): { text: string } | { error: string } => {
  let depth = 0
  let out: Array<string> | undefined
  let last = 0
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      i++
      while (i < n) {
        const d = text.charCodeAt(i)
        if (d === 92 /* \ */) {
          const unit = unicodeEscape(text, i)
          if (unit === undefined) i += 2
          else if (unit >= 0xd800 && unit <= 0xdbff && isLow(unicodeEscape(text, i + 6))) i += 12
          else if (unit === 0 || (unit >= 0xd800 && unit <= 0xdfff)) {
            out ??= []
            out.push(text.slice(last, i), "\\ufffd")
            last = i + 6
            i += 6
          } else i += 6
        } else if (d === 34) break
        else i++
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limits.maxDepth) return { error: `nesting deeper than ${limits.maxDepth} levels` }
    } else if (c === 125 || c === 93) {
      depth--
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let j = i + 1
      while (j < n) {
        const d = text.charCodeAt(j)
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) j++
        else break
      }
      const token = text.slice(i, j)
      if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out ??= []
        out.push(text.slice(last, i), `"${token}"`)
        last = j
      }
      i = j - 1
    }
  }
  if (out === undefined) return { text }
  out.push(text.slice(last))
  return { text: out.join("") }
}

const dangerous = /"(?:__proto__|constructor|prototype)"\s*:/

const reviver = (key: string, value: unknown) =>
  key === "__proto__" || key === "constructor" || key === "prototype" ? undefined : value

export const parseJson = (text: string, limits: JsonLimits = DEFAULT_LIMITS): JsonParse => {
  const prepared = prepare(text, limits)
  if ("error" in prepared) return { ok: false, error: prepared.error }
  try {
    const value: unknown = dangerous.test(prepared.text)
      ? JSON.parse(prepared.text, reviver)
      : JSON.parse(prepared.text)
    return { ok: true, value }
  } catch (error) {
    return { ok: false, error: (error as Error).message }
  }
}
