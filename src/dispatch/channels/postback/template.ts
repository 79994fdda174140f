// Template syntax: `{name}` is replaced by the variable's value, `{env:NAME}` by a secret. Anything
// between braces without whitespace or quotes counts as a placeholder, so a typo (`{clickid}`,
// `{Click_ID}`) is an unknown variable rather than literal text sent to a partner. JSON's own braces
// (`{"a": 1}`) contain quotes and are left alone.
//
// Values are encoded for where they land: URL templates and form bodies percent-encode every value
// (encodeURIComponent), so a value can never add a parameter, a fragment or a path segment; JSON
// templates escape values as JSON string content (the template supplies the quotes).

const PLACEHOLDER = /\{([^{}\s"]+)\}/g
const SECRET = /^env:([A-Za-z_][A-Za-z0-9_]*)$/

export interface Placeholder {
  readonly name: string
  readonly start: number
  readonly end: number
}

export const placeholders = (template: string): ReadonlyArray<Placeholder> =>
  Array.from(template.matchAll(PLACEHOLDER), (m) => ({
    name: m[1] ?? "",
    start: m.index,
    end: m.index + m[0].length
  }))

/** The env variable name of a `{env:NAME}` placeholder, else undefined. */
export const secretName = (name: string): string | undefined => SECRET.exec(name)?.[1]

export type Encoding = "url" | "json"

// encodeURIComponent throws on a lone surrogate; untrusted payloads can carry one.
const wellFormed = (value: string) =>
  value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")

export const encodeValue = (value: string, encoding: Encoding): string =>
  encoding === "url" ? encodeURIComponent(wellFormed(value)) : JSON.stringify(wellFormed(value)).slice(1, -1)

/** Replaces every placeholder; `lookup` returns the raw value, or undefined for an unknown name. */
export const substitute = (
  template: string,
  encoding: Encoding,
  lookup: (name: string) => string | undefined
): { readonly text: string; readonly unknown: ReadonlyArray<string> } => {
  const unknown: Array<string> = []
  const text = template.replace(PLACEHOLDER, (_, name: string) => {
    const value = lookup(name)
    if (value === undefined) {
      unknown.push(name)
      return ""
    }
    return encodeValue(value, encoding)
  })
  return { text, unknown }
}

/**
 * Where the scheme and authority (userinfo, host, port) of a URL template end, or undefined when the
 * template does not start with a literal scheme and `//`. Placeholders before that index are refused.
 */
export const authorityEnd = (template: string): number | undefined => {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(template)
  if (!scheme) return undefined
  const rest = template.slice(scheme[0].length)
  const end = rest.search(/[/?#]/)
  return scheme[0].length + (end === -1 ? rest.length : end)
}
