// What receiving a webhook comes to, and how it is answered, in one place for both paths that serve
// POST /webhooks/{id} (IngestFront.ts, IngestHttp.ts) and for the webhook counter's label.

export type IngestOutcome =
  | { readonly _tag: "Accepted"; readonly webhookId: string; readonly duplicate: boolean }
  | { readonly _tag: "Ping" }
  | { readonly _tag: "Refused"; readonly status: number; readonly error: string; readonly message: string }

export const refused = (status: number, error: string, message: string): IngestOutcome => ({
  _tag: "Refused",
  status,
  error,
  message
})

/** The `outcome` label of s2s_webhooks_total. */
export const outcomeLabel = (outcome: IngestOutcome): string =>
  outcome._tag === "Refused"
    ? `refused_${outcome.status}`
    : outcome._tag === "Accepted"
      ? outcome.duplicate
        ? "duplicate"
        : "accepted"
      : "ping"

/**
 * Seconds a platform is asked to wait after a 503 (the database unavailable, or a source's secret
 * missing): long enough for a database restart or failover, short enough that a platform honouring
 * it loses little time. Platforms that ignore it retry on their own schedule anyway.
 */
export const RETRY_AFTER_SECONDS = 5

export interface WebhookResponse {
  readonly status: number
  readonly body: unknown
  readonly headers: Readonly<Record<string, string>>
}

export const outcomeResponse = (outcome: IngestOutcome): WebhookResponse => {
  switch (outcome._tag) {
    case "Accepted":
      return { status: 202, body: { webhookId: outcome.webhookId, duplicate: outcome.duplicate }, headers: {} }
    case "Ping":
      return { status: 200, body: { status: "ok" }, headers: {} }
    case "Refused":
      return {
        status: outcome.status,
        body: { error: outcome.error, message: outcome.message },
        headers: outcome.status === 503 ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {}
      }
  }
}
