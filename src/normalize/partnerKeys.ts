// A partner rule's conditions name tracking fields ("awc", "utm_source=google"). A field no parser
// ever extracts can never hold, so the partner would silently never be recognised: that is a
// configuration error, checked when s2s.yaml is applied (registered in stages/validators.ts).
// Generic sources may send any click id under tracking.clickIds, so with one configured an unknown
// name may still arrive and is accepted.
import type { ConfigValidator } from "../config/load.js"
import { CLICK_ID_FIELDS } from "./tracking.js"

/** Every field name trackingValue (identity.ts) can read from what the parsers extract. */
export const CAPTURED_FIELDS: ReadonlyArray<string> = [
  "gclid",
  "gbraid",
  "wbraid",
  "fbclid",
  "fbc",
  "fbp",
  ...CLICK_ID_FIELDS,
  "transaction_id",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_content",
  "utm_term",
  "coupon",
  "referrer",
  "landing_url"
]

const captured = new Set(CAPTURED_FIELDS)

export const validatePartnerConditions: ConfigValidator = (config) => {
  if (config.sources.some((s) => s.kind === "generic")) return []
  return config.partners.flatMap((partner, i) =>
    partner.when.flatMap((condition, j) => {
      const field = condition.split("=")[0] ?? condition
      return captured.has(field)
        ? []
        : [
            {
              path: ["partners", i, "when", j],
              message:
                `no source captures "${field}", so this condition can never hold; the parsers extract ` +
                `${CAPTURED_FIELDS.join(", ")} (a generic source may also send any key under tracking.clickIds)`
            }
          ]
    })
  )
}
