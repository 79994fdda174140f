// Where alerts go (Slack), how repeats are grouped, and when the daily and weekly digests are sent.
import { Schema } from "effect"
import { DurationText } from "./duration.js"
import { SecretRef } from "./fields.js"

export const Alerts = Schema.Struct({
  slack: Schema.optional(
    Schema.Struct({
      token: SecretRef,
      channel: Schema.String,
      /** Repeats of the same problem within this window are counted into one digest. */
      groupWindow: Schema.optional(DurationText),
      /** UTC hour of the daily coverage digest. */
      digestHour: Schema.optional(Schema.Int.pipe(Schema.between(0, 23))),
      /** The weekly outcome summary (s2s report's figures for the last 7 days): on this weekday, from this UTC hour. */
      weeklyReport: Schema.optional(
        Schema.Struct({
          day: Schema.optional(
            Schema.Literal("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
          ),
          hour: Schema.optional(Schema.Int.pipe(Schema.between(0, 23)))
        })
      )
    })
  ),
  /** Base URL of alert links to an order's console page when S2S_PUBLIC_URL is unset. */
  publicUrl: Schema.optional(Schema.String)
})
export type Alerts = typeof Alerts.Type
