// Name-based UUIDs: the same parts always give the same id, so an event whose id is derived from what
// it is about can be appended twice and stored once (s2s_append skips ids already in the stream).
import { createHash } from "node:crypto"

/** A version-5-shaped UUID from the SHA-256 of the parts (NUL-separated). */
export const nameUuid = (...parts: ReadonlyArray<string | number>): string => {
  const h = createHash("sha256").update(parts.join("\u0000")).digest("hex")
  const variant = ((Number.parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}
