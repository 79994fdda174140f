// The console's settings, from the environment. S2S_PUBLIC_URL is where people reach the service
// (links in Slack alerts are built from it; an https URL makes the session cookie Secure).
// S2S_CONSOLE_SECRET, when set, signs links and CSRF tokens instead of the key generated once per
// database (sql/0009_console.sql). Durations are "90s", "15m", "12h", "14d".
import { Config, ConfigError, Either, Option, type Redacted } from "effect"
import { normalizePublicUrl } from "../alerts/mrkdwn.js"
import { durationMillis } from "../events/configSchema.js"

export interface ConsoleSettings {
  readonly publicUrl: string | undefined
  readonly secret: Option.Option<Redacted.Redacted>
  readonly sessionTtlMs: number
  readonly linkTtlMs: number
}

const duration = (name: string, fallback: string) =>
  Config.string(name).pipe(
    Config.withDefault(fallback),
    Config.mapOrFail((text) =>
      /^\d+(ms|s|m|h|d)$/.test(text.trim()) && durationMillis(text.trim()) > 0
        ? Either.right(durationMillis(text.trim()))
        : Either.left(ConfigError.InvalidData([name], `${name} must be a duration like "12h" or "14d" (got "${text}")`))
    )
  )

export const ConsoleConfig: Config.Config<ConsoleSettings> = Config.all({
  publicUrl: Config.option(Config.string("S2S_PUBLIC_URL")).pipe(
    Config.map((url) => normalizePublicUrl(Option.getOrUndefined(url)))
  ),
  secret: Config.option(Config.redacted("S2S_CONSOLE_SECRET")),
  sessionTtlMs: duration("S2S_CONSOLE_SESSION_TTL", "12h"),
  linkTtlMs: duration("S2S_CONSOLE_LINK_TTL", "14d")
})
