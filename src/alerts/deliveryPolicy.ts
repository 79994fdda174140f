// When to try posting an alert again. Slack outages are usually minutes, sometimes hours; an alert
// that arrives a day late is still worth reading, one that arrives two days late is noise. So: 8
// attempts, each delay three times the last (1 min, 3, 9, 27 min, 1.4 h, 4 h, 12 h: about 18 hours
// in all), never sooner than Slack's Retry-After. Permanent errors (a bad token, an unknown channel)
// stop at once: retrying cannot fix them. Pure: the attempt number is an argument.

export const DELIVERY_ATTEMPTS = 8
export const FIRST_DELAY_MS = 60_000
export const MAX_DELAY_MS = 12 * 3_600_000

export type DeliveryRetry =
  | { readonly _tag: "Retry"; readonly delayMs: number }
  | { readonly _tag: "GiveUp"; readonly reason: "permanent" | "budget" }

/** attempt: the attempt that just failed, 1-based. */
export const nextDelivery = (
  error: { readonly retryable: boolean; readonly retryAfterMs?: number | undefined },
  attempt: number
): DeliveryRetry => {
  if (!error.retryable) return { _tag: "GiveUp", reason: "permanent" }
  if (attempt >= DELIVERY_ATTEMPTS) return { _tag: "GiveUp", reason: "budget" }
  const backoff = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 3 ** Math.max(0, attempt - 1))
  return { _tag: "Retry", delayMs: Math.max(backoff, error.retryAfterMs ?? 0) }
}
