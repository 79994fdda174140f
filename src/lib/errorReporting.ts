// Error reporting to Sentry, only when SENTRY_DSN is set: @sentry/node (and its OpenTelemetry tree) is
// imported then and never otherwise, so processes without it pay nothing. What is reported: every log
// at level Error or above (the stages log their defects and failed jobs that way; with its cause, as
// an exception) and, through the SDK's own integrations, uncaught exceptions and unhandled rejections.
// Personal data never leaves: no default PII, no request data, and every string of an event (messages,
// exception values, breadcrumbs, extra data, tags) is scrubbed of email addresses, phone numbers and IP
// addresses before it is sent (beforeSend / beforeBreadcrumb; ./scrub.ts, loaded with the SDK: it
// brings libphonenumber-js's metadata).
import { Cause, Logger, LogLevel } from "effect"

export interface ErrorReporter {
  readonly captureException: (error: unknown, message: string) => void
  readonly captureMessage: (message: string) => void
  readonly flush: (timeoutMs: number) => Promise<boolean>
}

export const startErrorReporting = async (
  env: NodeJS.ProcessEnv,
  release: string
): Promise<ErrorReporter | undefined> => {
  const dsn = env.SENTRY_DSN?.trim()
  if (!dsn) return undefined
  const [Sentry, { scrubEvent, scrubValue }] = await Promise.all([import("@sentry/node"), import("./scrub.js")])
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
    // The SDK would add sentry-trace and baggage headers (our trace id, release, environment and
    // Sentry key) to every outgoing request, the partners' included: none goes to anyone.
    tracePropagationTargets: [],
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
