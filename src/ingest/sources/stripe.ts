// Stripe: Stripe-Signature `t=<unix>,v1=<hex>[,v1=<hex>]` over "<t>.<raw body>" with the endpoint's
// whsec_ secret. Stripe's libraries default to 300 s and only reject old timestamps; we also reject
// timestamps that far in the future, since a clock that wrong on either side means the window is not
// doing its job. Each retry is signed anew, so the window does not shorten Stripe's 3-day retry horizon.
// Dedup on the event id (evt_...), which every redelivery of the event carries.
import { idText, isRecord, labelText } from "./fields.js"
import { verifyTimestampedSignature } from "./timestampedSignature.js"
import { described, notDescribed, type SourceScheme } from "./types.js"

export const STRIPE_SIGNATURE_HEADER = "stripe-signature"
export const STRIPE_DEFAULT_TOLERANCE_MS = 300_000

export const stripe: SourceScheme = {
  kind: "stripe",
  auth: "signature",
  verify: verifyTimestampedSignature({
    header: STRIPE_SIGNATURE_HEADER,
    separator: ",",
    timestampKey: "t",
    signatureKey: "v1",
    joiner: "."
  }),
  describe: (_req, json) => {
    const id = isRecord(json) ? idText(json.id) : undefined
    if (!isRecord(json) || id === undefined) return notDescribed("a Stripe event has a string id (evt_...)")
    return described({
      dedupKey: id,
      topic: labelText(json.type),
      testMode: typeof json.livemode === "boolean" ? !json.livemode : undefined
    })
  },
  keptHeaders: [],
  defaultToleranceMs: STRIPE_DEFAULT_TOLERANCE_MS
}
