// Error reporting to Sentry, only when SENTRY_DSN is set: @sentry/node (and its OpenTelemetry tree) is
// imported then and never otherwise, so processes without it pay nothing. What is reported: every log
// at level Error or above (the stages log their defects and failed jobs that way; with its cause, as
// an exception) and, through the SDK's own integrations, uncaught exceptions and unhandled rejections.
// Personal data never leaves: no default PII, no request data, and every string of an event (messages,
// exception values, breadcrumbs, extra data, tags) is scrubbed of email addresses, phone numbers and IP
// addresses before it is sent (beforeSend / beforeBreadcrumb).
import { Cause, Logger, LogLevel } from "effect"

export interface ErrorReporter {
  readonly captureException: (error: unknown, message: string) => void
  readonly captureMessage: (message: string) => void
  readonly flush: (timeoutMs: number) => Promise<boolean>
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g
// Eight groups, or a "::" compression; three groups (10:00:31, a time) are not an address.
const IPV6 =
  /\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b|\b(?:[0-9A-Fa-f]{1,4}:)+:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?/g
// International (+49 151 2345678, 0049 ...) or with an area code in brackets ((030) 123-4567). A bare
// run of digits is left alone: in our messages it is an order or platform id, not a phone number.
const PHONE = /(?:\+|\b00)\d[\d\s()./-]{6,}\d\b|\(0\d{1,5}\)[\d\s/-]{5,}\d\b/g

/** A string without email addresses, phone numbers or IP addresses. */
export const scrubText = (text: string): string =>
  text.replace(EMAIL, "[email]").replace(IPV6, "[ip]").replace(IPV4, "[ip]").replace(PHONE, "[phone]")

/** Every string in `value`, however deep, scrubbed; keys that name personal data dropped. */
export const scrubValue = (value: unknown, depth = 0): unknown => {
  if (typeof value === "string") return scrubText(value)
  if (depth > 12 || value === null || typeof value !== "object") return value
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value))
    if (!/^(email|phone|ip_address|ip|cookies?|authorization|password|first_?name|last_?name)$/i.test(key))
      out[key] = scrubValue(v, depth + 1)
  return out
}

/** Sentry's beforeSend: the event without its user, request data or any personal data in its strings. */
export const scrubEvent = <E extends object>(event: E): E => {
  const { user: _user, request, ...rest } = event as Record<string, unknown>
  const kept = request && typeof request === "object" ? { url: (request as { url?: unknown }).url } : undefined
  return scrubValue({ ...rest, ...(kept?.url === undefined ? {} : { request: kept }) }) as E
}

export const startErrorReporting = async (
  env: NodeJS.ProcessEnv,
  release: string
): Promise<ErrorReporter | undefined> => {
  const dsn = env.SENTRY_DSN?.trim()
  if (!dsn) return undefined
  const Sentry = await import("@sentry/node")
  Sentry.init({
    dsn,
    release: `s2s@${release}`,
    environment: env.SENTRY_ENVIRONMENT || env.NODE_ENV || "development",
    // Collect nothing about users or requests (bodies carry orders, headers tokens, query strings click ids).
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false
    },
    tracesSampleRate: 0,
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => scrubValue(breadcrumb) as typeof breadcrumb
  })
  return {
    captureException: (error, message) => {
      Sentry.captureException(error, { extra: { log: message } })
    },
    captureMessage: (message) => {
      Sentry.captureMessage(message, "error")
    },
    flush: (timeoutMs) => Sentry.flush(timeoutMs)
  }
}

/** Forwards logs at Error and above to the reporter (its own logger; the usual output is unchanged). */
export const reportingLogger = (reporter: ErrorReporter) =>
  Logger.make(({ logLevel, message, cause }) => {
    if (LogLevel.lessThan(logLevel, LogLevel.Error)) return
    const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
    if (Cause.isEmpty(cause)) reporter.captureMessage(text)
    else reporter.captureException(Cause.squash(cause), text)
  })
