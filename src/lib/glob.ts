// Glob patterns for config values (rule dimensions, test-order emails, SKU mappings): `*` matches any
// run of characters (also none), `?` exactly one, everything else itself. Matching is case-insensitive
// because the same id arrives as "VIT-001" from one platform and "vit-001" from another.
// No regex is built from config, so a pattern like `*a*a*a*b` cannot blow up (worst case O(n·m)).

/** True for `*`, `**`, ...: a pattern that matches every value, including the empty one. */
export const isMatchAll = (pattern: string): boolean => /^\*+$/.test(pattern)

/** True when the pattern contains a wildcard character. */
export const hasWildcards = (pattern: string): boolean => /[*?]/.test(pattern)

export interface GlobOptions {
  readonly caseSensitive?: boolean | undefined
}

const chars = (text: string, options?: GlobOptions) => Array.from(options?.caseSensitive ? text : text.toLowerCase())

/** Does the whole value match the pattern? */
export const globMatch = (pattern: string, value: string, options?: GlobOptions): boolean => {
  const p = chars(pattern, options)
  const v = chars(value, options)
  let pi = 0
  let vi = 0
  // Position of the last `*` seen and of the value character it is currently stretched to.
  let star = -1
  let resume = 0
  while (vi < v.length) {
    const c = p[pi]
    if (c === "*") {
      star = pi++
      resume = vi
    } else if (c !== undefined && (c === "?" || c === v[vi])) {
      pi++
      vi++
    } else if (star >= 0) {
      pi = star + 1
      vi = ++resume
    } else {
      return false
    }
  }
  while (p[pi] === "*") pi++
  return pi === p.length
}

/** A matcher for one pattern, for hot loops. */
export const compileGlob =
  (pattern: string, options?: GlobOptions) =>
  (value: string): boolean =>
    globMatch(pattern, value, options)
