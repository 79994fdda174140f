// Schemes that sign the raw body alone, base64-encoded (Shopify, WooCommerce). Nothing time-bound is
// signed, so a captured delivery verifies forever: deduplication is the only replay defence.
import { accepted, decodeDigest, findMatchingSecret, hasUsableSecret, hmacSha256, rejected } from "./signature.js"
import type { IncomingWebhook, VerifyResult } from "./types.js"

export const verifyBodySignature =
  (headerName: string) =>
  (req: IncomingWebhook, secrets: ReadonlyArray<string>): VerifyResult => {
    if (!hasUsableSecret(secrets)) return rejected("no_secret", "the source has no signing secret configured")
    const header = req.headers[headerName]?.trim()
    if (header === undefined || header === "") return rejected("missing_signature", `no ${headerName} header`)
    const decoded = decodeDigest(header, "base64")
    if (!decoded.ok) return rejected("malformed_signature", `${headerName}: ${decoded.detail}`)
    const index = findMatchingSecret([decoded.digest], secrets, (secret) => hmacSha256(secret, [req.body]))
    if (index < 0) return rejected("bad_signature", `${headerName} matches none of the configured secrets`)
    return accepted(index)
  }
