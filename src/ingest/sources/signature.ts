// HMAC-SHA256 helpers shared by the signed schemes.
//
// timingSafeEqual throws on buffers of different lengths and says nothing about the code around it, so
// header values are decoded strictly first and every candidate must be exactly 32 bytes before any
// comparison; a comparison then always runs on two 32-byte buffers. All candidates are compared against
// all secrets (no early exit), so the time taken does not depend on which pair matched.
import { createHmac, timingSafeEqual } from "node:crypto"
import type { VerifyFailureReason, VerifyResult } from "./types.js"

export const DIGEST_BYTES = 32

export const accepted = (secretIndex: number): VerifyResult => ({ ok: true, secretIndex })

export const rejected = (reason: VerifyFailureReason, detail: string): VerifyResult => ({ ok: false, reason, detail })

/** HMAC-SHA256 over the parts in order; the body stays bytes (re-decoding it as text could alter it). */
export const hmacSha256 = (secret: string, parts: ReadonlyArray<Uint8Array | string>): Buffer => {
  const hmac = createHmac("sha256", secret)
  for (const part of parts) hmac.update(part)
  return hmac.digest()
}

/**
 * An empty secret (an env var set to "") would make every signature computable by anyone, so it is
 * never used. The endpoint resolves the refs; this is the last line of defence.
 */
const usable = (secret: string): boolean => typeof secret === "string" && secret.length > 0

export const hasUsableSecret = (secrets: ReadonlyArray<string>): boolean => secrets.some(usable)

export type Decoded = { readonly ok: true; readonly digest: Buffer } | { readonly ok: false; readonly detail: string }

// Lower-case hex only, as Stripe and Paddle send it (their libraries compare the hex text itself).
const HEX = /^(?:[0-9a-f]{2})+$/
// Buffer.from(text, "base64") silently skips characters outside the alphabet, hence the strict pattern.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

export const decodeDigest = (text: string, encoding: "hex" | "base64"): Decoded => {
  if (text.length === 0) return { ok: false, detail: `empty ${encoding} signature` }
  // Guards the regexes against pathological input; a 32-byte digest is 64 hex or 44 base64 characters.
  if (text.length > 512) return { ok: false, detail: `${encoding} signature of ${text.length} characters` }
  if (!(encoding === "hex" ? HEX : BASE64).test(text)) return { ok: false, detail: `signature is not ${encoding}` }
  const digest = Buffer.from(text, encoding)
  // Base64 has spare bits in its last character; several texts decode to one digest. Only the canonical
  // text is accepted, so that any change to a signature is a different signature.
  if (digest.toString(encoding) !== text) return { ok: false, detail: `signature is not canonical ${encoding}` }
  if (digest.length !== DIGEST_BYTES) {
    return { ok: false, detail: `signature decodes to ${digest.length} bytes, HMAC-SHA256 has ${DIGEST_BYTES}` }
  }
  return { ok: true, digest }
}

/** Index (in `secrets`) of the first usable secret whose digest equals one of the candidates, or -1. */
export const findMatchingSecret = (
  candidates: ReadonlyArray<Buffer>,
  secrets: ReadonlyArray<string>,
  sign: (secret: string) => Buffer
): number => {
  let found = -1
  secrets.forEach((secret, index) => {
    if (!usable(secret)) return
    const expected = sign(secret)
    for (const candidate of candidates) {
      const equal = candidate.length === expected.length && timingSafeEqual(candidate, expected)
      if (equal && found === -1) found = index
    }
  })
  return found
}

/** `k=v` items of a signature header; items without "=" are not ours to interpret and are skipped. */
export const parseParams = (
  header: string,
  separator: string
): ReadonlyArray<{ readonly key: string; readonly value: string }> =>
  header.split(separator).flatMap((item) => {
    const at = item.indexOf("=")
    return at > 0 ? [{ key: item.slice(0, at).trim(), value: item.slice(at + 1).trim() }] : []
  })
