// Generic sources (custom shops, scripts) authenticate with an ingest bearer token that the endpoint
// checks against the token store. `verify` refuses everything so that a code path that forgets the
// token check fails closed instead of accepting anonymous orders.
//
// Dedup key: the Idempotency-Key header when sent (1..255 printable ASCII characters; anything else is
// the sender's bug and is refused so they notice), else none and the endpoint records a fresh id.
import { idText, isRecord, labelText, MAX_KEY_LENGTH } from "./fields.js"
import { rejected } from "./signature.js"
import { described, notDescribed, type SourceScheme } from "./types.js"

const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/

export const generic: SourceScheme = {
  kind: "generic",
  auth: "bearer-token",
  verify: () => rejected("missing_signature", "generic sources authenticate with a bearer token, not a signature"),
  describe: (req, json) => {
    const header = req.headers["idempotency-key"]
    if (header !== undefined && !(IDEMPOTENCY_KEY.test(header) && idText(header) !== undefined)) {
      return notDescribed(`Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} printable ASCII characters`)
    }
    const fromBody = isRecord(json) ? (labelText(json.topic) ?? labelText(json.event)) : undefined
    return described({
      dedupKey: header === undefined ? undefined : idText(header),
      topic: labelText(req.headers["x-s2s-topic"]) ?? fromBody
    })
  },
  keptHeaders: ["idempotency-key", "x-s2s-topic"]
}
