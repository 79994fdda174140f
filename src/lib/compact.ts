// exactOptionalPropertyTypes forbids `{ email: undefined }` where the schema says `email?: string`, and
// untrusted payloads are full of absent values. `compact` drops the undefined entries and types the
// result with those keys optional, so builders can list every field without a spread per field.
type Compacted<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>
}

export const compact = <T extends Record<string, unknown>>(fields: T): Compacted<T> => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value
  return out as Compacted<T>
}

/** A trimmed, non-empty string, or undefined (null, "", "  ", "null" and "undefined" are all absent). */
export const text = (value: unknown): string | undefined => {
  if (typeof value === "number" && Number.isFinite(value)) return String(value)
  if (typeof value !== "string") return undefined
  const trimmed = value.trim()
  return trimmed === "" || trimmed === "null" || trimmed === "undefined" ? undefined : trimmed
}

/** The first argument that is not undefined. */
export const first = <A>(...values: ReadonlyArray<A | undefined>): A | undefined => values.find((v) => v !== undefined)
