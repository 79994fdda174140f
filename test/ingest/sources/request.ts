// Builds IncomingWebhook values for the scheme tests, plus an independent signer (node:crypto directly,
// not the code under test).
import { createHmac } from "node:crypto"
import type { IncomingWebhook } from "../../../src/ingest/sources/index.js"

export const request = (fields: {
  readonly body: string | Uint8Array
  readonly headers?: Readonly<Record<string, string>>
  readonly contentType?: string
  readonly now?: Date
}): IncomingWebhook => ({
  body: typeof fields.body === "string" ? Buffer.from(fields.body, "utf8") : fields.body,
  headers: fields.headers ?? {},
  contentType: fields.contentType ?? "application/json",
  now: fields.now ?? new Date("2024-05-01T12:00:00Z")
})

export const hmac = (secret: string, ...parts: ReadonlyArray<string | Uint8Array>): Buffer => {
  const h = createHmac("sha256", secret)
  for (const part of parts) h.update(part)
  return h.digest()
}

/** The same bytes with one byte changed (xor with a non-zero value), at a position chosen by `at`. */
export const mutateByte = (bytes: Uint8Array, at: number, xor = 0x01): Buffer => {
  const copy = Buffer.from(bytes)
  const index = at % copy.length
  copy[index] = (copy[index] ?? 0) ^ (xor === 0 ? 1 : xor)
  return copy
}
