// Paddle Billing: Paddle-Signature `ts=<unix>;h1=<hex>[;h1=<hex>]` over "<ts>:<raw body>", keyed by the
// notification destination's secret (pdl_ntfset_...). Several h1 appear while a secret is rotated.
//
// Tolerance: Paddle's SDKs allow 5 s. Behind a proxy, a load balancer and a busy ingest queue (peak days
// run at 50x the average), with ordinary clock drift on either side, 5 s rejects authentic deliveries,
// and a rejected delivery is a conversion Paddle may give up on. Replays inside any window are already
// absorbed by the dedup on event_id, which comes from the signed body. So the default is 300 s, both
// ways, like Stripe and Svix; a source can change it with `tolerance:`.
// Paddle Classic (form-encoded, p_signature, public key) is a different scheme and is not accepted.
import { idText, isRecord, labelText } from "./fields.js"
import { verifyTimestampedSignature } from "./timestampedSignature.js"
import { described, notDescribed, type SourceScheme } from "./types.js"

export const PADDLE_SIGNATURE_HEADER = "paddle-signature"
export const PADDLE_DEFAULT_TOLERANCE_MS = 300_000

export const paddle: SourceScheme = {
  kind: "paddle",
  auth: "signature",
  verify: verifyTimestampedSignature({
    header: PADDLE_SIGNATURE_HEADER,
    separator: ";",
    timestampKey: "ts",
    signatureKey: "h1",
    joiner: ":"
  }),
  describe: (_req, json) => {
    const id = isRecord(json) ? idText(json.event_id) : undefined
    if (!isRecord(json) || id === undefined)
      return notDescribed("a Paddle notification has a string event_id (evt_...)")
    // Sandbox and live are separate Paddle accounts with separate secrets; the payload has no test flag.
    return described({ dedupKey: id, topic: labelText(json.event_type) })
  },
  keptHeaders: [],
  defaultToleranceMs: PADDLE_DEFAULT_TOLERANCE_MS
}
