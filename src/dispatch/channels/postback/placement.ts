// Places variable values into a postback URL template so that no value can change where the request
// goes. Values are percent-encoded (template.ts), which already keeps `/ ? # @ & =`, CR/LF and
// Unicode from adding segments, parameters, a fragment or userinfo; what encoding cannot stop is a
// value that *is* a dot segment (`.` or `..`, which URL parsers resolve away, taking the previous
// segment with them) or an empty one (`//`, which many servers collapse, shifting the segments after
// it). Those are refused, as is anything that still parses into a different scheme, host, port,
// path shape or parameter list than the template itself (a second, independent check).
//
// Length: a URL longer than MAX_URL_LENGTH is not sent (servers answer 414 or 431 beyond ~8 KiB).
// `{items}` is the one value expected to grow with the order, so it is shortened first, by whole
// items in order, with a final `+N` entry counting the items left out; only if even that does not
// fit is the dispatch refused.
import { authorityEnd, encodeValue, placeholders } from "./template.js"

export const MAX_URL_LENGTH = 8000

export type UrlPlacement =
  | { readonly _tag: "Placed"; readonly url: string; readonly truncatedItems?: number | undefined }
  | { readonly _tag: "Unknown"; readonly names: ReadonlyArray<string> }
  /** A value that cannot be placed without changing the URL's scheme, host, port or path structure. */
  | { readonly _tag: "Unsafe"; readonly detail: string }

/** WHATWG URL's single- and double-dot segments (`%2e` counts as a dot, in any case). */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i

/** Where the path ends in the template: the first literal `?` or `#` outside a placeholder. */
const pathEnd = (template: string, from: number): number => {
  const spans = placeholders(template)
  for (let i = from; i < template.length; i++) {
    const c = template[i]
    if (c !== "?" && c !== "#") continue
    if (!spans.some((p) => i > p.start && i < p.end)) return i
  }
  return template.length
}

/** `{items}` shortened to its first `keep` entries and a `+N` marker for the rest. */
export const truncateItems = (items: string, keep: number): string => {
  const entries = items === "" ? [] : items.split("|")
  if (keep >= entries.length) return items
  const kept = entries.slice(0, Math.max(0, keep))
  return [...kept, `+${entries.length - kept.length}`].join("|")
}

const fill = (template: string, values: ReadonlyMap<string, string>) =>
  template.replace(/\{([^{}\s"]+)\}/g, (_, name: string) => encodeValue(values.get(name) ?? "", "url"))

const shape = (url: URL) => ({
  origin: `${url.protocol}//${url.username}:${url.password}@${url.host}`,
  segments: url.pathname.split("/").length,
  keys: [...url.searchParams.keys()].join("&")
})

/** Renders the URL template; `lookup` returns a variable's raw value, undefined for an unknown name. */
export const placeUrl = (template: string, lookup: (name: string) => string | undefined): UrlPlacement => {
  const found = placeholders(template)
  const values = new Map<string, string>()
  const unknown: Array<string> = []
  for (const p of found) {
    if (values.has(p.name)) continue
    const value = lookup(p.name)
    if (value === undefined) unknown.push(p.name)
    else values.set(p.name, value)
  }
  if (unknown.length > 0) return { _tag: "Unknown", names: [...new Set(unknown)] }

  const start = authorityEnd(template)
  if (start === undefined) return { _tag: "Unsafe", detail: "the url template does not start with http(s)://" }
  const inAuthority = found.filter((p) => p.start < start)
  if (inAuthority.length > 0) {
    return {
      _tag: "Unsafe",
      detail: `{${inAuthority[0]!.name}} is in the scheme, host or port, where no value may be placed`
    }
  }

  // Every path segment that holds a value, checked as it will be sent.
  const end = pathEnd(template, start)
  let offset = start
  for (const segment of template.slice(start, end).split("/")) {
    const segmentStart = offset
    offset += segment.length + 1
    const inside = found.filter((p) => p.start >= segmentStart && p.end <= segmentStart + segment.length)
    if (inside.length === 0) continue
    const rendered = fill(segment, values)
    const names = [...new Set(inside.map((p) => `{${p.name}}`))].join(" and ")
    if (rendered === "") {
      return {
        _tag: "Unsafe",
        detail: `${names} is empty and would leave an empty path segment (//), which servers may collapse, moving the segments after it`
      }
    }
    if (DOT_SEGMENT.test(rendered)) {
      return {
        _tag: "Unsafe",
        detail: `${names} makes the path segment ${JSON.stringify(rendered)}, a dot segment that would change the URL's path`
      }
    }
  }

  const skeleton = new URL(template.replace(/\{([^{}\s"]+)\}/g, "x"))
  const usesItems = found.some((p) => p.name === "items")
  const items = values.get("items") ?? ""
  const itemCount = items === "" ? 0 : items.split("|").length
  let url = fill(template, values)
  let truncatedItems: number | undefined
  if (url.length > MAX_URL_LENGTH && usesItems && itemCount > 0) {
    // The longest prefix of items that fits (each kept item adds more than the marker saves, so the
    // length grows with `keep`): a binary search, since an order may have thousands of lines.
    const withItems = (keep: number) => fill(template, new Map([...values, ["items", truncateItems(items, keep)]]))
    let low = 0
    let high = itemCount - 1
    while (low < high) {
      const mid = Math.ceil((low + high) / 2)
      if (withItems(mid).length <= MAX_URL_LENGTH) low = mid
      else high = mid - 1
    }
    url = withItems(low)
    truncatedItems = itemCount - low
  }
  if (url.length > MAX_URL_LENGTH) {
    const longest = [...values].sort((a, b) => b[1].length - a[1].length)[0]
    return {
      _tag: "Unsafe",
      detail: `the URL would be ${url.length} characters, over the ${MAX_URL_LENGTH} that servers accept${
        longest === undefined ? "" : ` ({${longest[0]}} alone is ${longest[1].length} characters)`
      }`
    }
  }

  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { _tag: "Unsafe", detail: "the values make the URL unparseable" }
  }
  const expected = shape(skeleton)
  const actual = shape(parsed)
  if (actual.origin !== expected.origin || actual.segments !== expected.segments || actual.keys !== expected.keys) {
    return { _tag: "Unsafe", detail: "the values would change the URL's host, path segments or parameters" }
  }
  return { _tag: "Placed", url, ...(truncatedItems === undefined ? {} : { truncatedItems }) }
}
