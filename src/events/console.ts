// What people do in the web console (src/console/), on the stream console-session-{sessionId}: the
// log-in, the log-out, and each time an admin reveals an order's personal data. A reveal names the
// order (orderKey), so it also shows in that order's log. Operator actions taken in the console
// (re-dispatch, re-normalization) are recorded on the order and webhook streams as from the CLI or
// the API, with the token as actor.
import { Schema } from "effect"

export const ConsoleSessionStarted = Schema.TaggedStruct("ConsoleSessionStarted", {
  sessionId: Schema.String,
  tokenId: Schema.String,
  scope: Schema.String,
  expiresAt: Schema.String
})

export const ConsoleSessionEnded = Schema.TaggedStruct("ConsoleSessionEnded", {
  sessionId: Schema.String,
  reason: Schema.Literal("logout")
})

export const PersonalDataRevealed = Schema.TaggedStruct("PersonalDataRevealed", {
  orderKey: Schema.String,
  sessionId: Schema.String,
  actor: Schema.String,
  reason: Schema.String
})

export const consoleEvents = [ConsoleSessionStarted, ConsoleSessionEnded, PersonalDataRevealed] as const
