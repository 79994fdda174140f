// Schemes that sign "<timestamp><joiner><raw body>" and send `ts` plus one or more hex signatures in a
// parameter list (Stripe `t=..,v1=..`, Paddle `ts=..;h1=..`). Several signatures appear while a secret is
// rotated; any match is enough. Parameters under other names (Stripe's v0, Paddle's h2, future schemes)
// are ignored rather than tried: accepting a scheme we do not know would be a downgrade, and a header
// with no signature we know is refused, never treated as unsigned.
import {
  accepted,
  decodeDigest,
  findMatchingSecret,
  hasUsableSecret,
  hmacSha256,
  parseParams,
  rejected
} from "./signature.js"
import type { IncomingWebhook, VerifyResult } from "./types.js"

export interface TimestampedFormat {
  readonly header: string
  readonly separator: string
  readonly timestampKey: string
  readonly signatureKey: string
  readonly joiner: string
}

const UNIX_SECONDS = /^\d{1,12}$/

export const verifyTimestampedSignature =
  (format: TimestampedFormat) =>
  (req: IncomingWebhook, secrets: ReadonlyArray<string>, toleranceMs: number): VerifyResult => {
    if (!hasUsableSecret(secrets)) return rejected("no_secret", "the source has no signing secret configured")
    const header = req.headers[format.header]?.trim()
    if (header === undefined || header === "") return rejected("missing_signature", `no ${format.header} header`)

    const params = parseParams(header, format.separator)
    const timestamps = params.filter((p) => p.key === format.timestampKey)
    const ts = timestamps[0]?.value
    if (timestamps.length !== 1 || ts === undefined) {
      return rejected("malformed_signature", `${format.header}: expected exactly one ${format.timestampKey}=`)
    }
    if (!UNIX_SECONDS.test(ts)) {
      return rejected("malformed_signature", `${format.header}: timestamp is not unix seconds`)
    }

    const signatures = params.filter((p) => p.key === format.signatureKey)
    if (signatures.length === 0) {
      // Sender-controlled names are not echoed: details end up in logs.
      const ignored = params.length > timestamps.length ? " (other schemes are ignored)" : ""
      return rejected("malformed_signature", `${format.header}: no ${format.signatureKey}= signature${ignored}`)
    }
    const decoded = signatures.map((s) => decodeDigest(s.value, "hex"))
    const candidates = decoded.flatMap((d) => (d.ok ? [d.digest] : []))
    if (candidates.length === 0) {
      const first = decoded.find((d) => !d.ok)
      return rejected("malformed_signature", `${format.header}: ${first && !first.ok ? first.detail : "no signature"}`)
    }

    // The signature is checked before the clock so that a forged old request reads as forged, not stale.
    const sign = (secret: string) => hmacSha256(secret, [ts, format.joiner, req.body])
    const index = findMatchingSecret(candidates, secrets, sign)
    if (index < 0) return rejected("bad_signature", `${format.header} matches none of the configured secrets`)

    // A tolerance that is not a finite non-negative number must not disable the check (NaN compares false).
    const tolerance = Number.isFinite(toleranceMs) && toleranceMs > 0 ? toleranceMs : 0
    const skewMs = req.now.getTime() - Number(ts) * 1000
    if (Math.abs(skewMs) > tolerance) {
      const when = skewMs > 0 ? `${Math.round(skewMs / 1000)} s ago` : `${Math.round(-skewMs / 1000)} s in the future`
      return rejected("stale_timestamp", `signed ${when}, tolerance ${Math.round(tolerance / 1000)} s`)
    }
    return accepted(index)
  }
