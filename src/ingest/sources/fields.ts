// Reading ids and labels out of untrusted headers and bodies. Values that do not look like an id are
// treated as absent rather than stored: a dedup key ends up in a UNIQUE index and in stream ids.
import { createHash } from "node:crypto"

export const MAX_KEY_LENGTH = 255

export const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** A trimmed string of 1..255 printable ASCII characters, or undefined. */
export const idText = (value: unknown): string | undefined => {
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value)
  if (typeof value !== "string") return undefined
  const text = value.trim()
  return text.length > 0 && text.length <= MAX_KEY_LENGTH && PRINTABLE_ASCII.test(text) ? text : undefined
}

/** A trimmed label (topic, event type) of 1..255 characters without control characters, or undefined. */
export const labelText = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined
  const text = value.trim()
  return text.length > 0 && text.length <= MAX_KEY_LENGTH && !CONTROL.test(text) ? text : undefined
}

/** Joins key parts with ":"; a key too long for the index keeps its meaning as a digest. */
export const compositeKey = (parts: ReadonlyArray<string>): string => {
  const key = parts.join(":")
  return key.length <= MAX_KEY_LENGTH ? key : `sha256:${createHash("sha256").update(key).digest("hex")}`
}

/** The media type of a Content-Type header, lower case, without parameters. */
export const mediaType = (contentType: string | undefined): string | undefined => {
  const type = contentType?.split(";")[0]?.trim().toLowerCase()
  return type === undefined || type === "" ? undefined : type
}
