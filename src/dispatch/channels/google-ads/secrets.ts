// Secrets of a Google Ads target, resolved at the moment of use. A missing variable is a
// Configuration error naming the variable (never its value): retrying cannot fix it.
import { Effect, Either, Redacted } from "effect"
import { envName, Secrets } from "../../../config/Secrets.js"
import type { GoogleAdsTarget, SecretRef } from "../../../events/configSchema.js"
import { ChannelError } from "../../Channel.js"
import { GOOGLE_CHANNEL, type GoogleCredentials, parseCredentials } from "./oauth.js"

export const secretValue = (ref: SecretRef, target: GoogleAdsTarget, field: string) =>
  Secrets.pipe(
    Effect.flatMap((secrets) => secrets.get(ref, `target ${target.id} (${field})`)),
    Effect.map(Redacted.value),
    Effect.catchTag("MissingSecret", (missing) =>
      Effect.fail(
        new ChannelError({
          channel: GOOGLE_CHANNEL,
          reason: "Configuration",
          retryable: false,
          detail: missing.message,
          exchanges: []
        })
      )
    )
  )

export const loadCredentials = (target: GoogleAdsTarget) =>
  secretValue(target.credentials, target, "credentials").pipe(
    Effect.flatMap((json) =>
      Either.match(parseCredentials(json, envName(target.credentials)), {
        onLeft: Effect.fail,
        onRight: (credentials: GoogleCredentials) => Effect.succeed(credentials)
      })
    )
  )
