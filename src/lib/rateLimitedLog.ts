// Refusals (webhooks, malformed requests) are logged at most once per key and window, with a count
// of what was suppressed, so a flood of bad signatures, tokens or bytes cannot flood the logs. Never
// logs payloads.
export const makeRateLimitedLog = (
  windowMs: number,
  log: (message: string) => void,
  now: () => number = Date.now,
  maxKeys = 10_000
) => {
  const last = new Map<string, { at: number; suppressed: number }>()
  return (message: string, key: string) => {
    const at = now()
    const entry = last.get(key)
    if (entry && at - entry.at < windowMs) {
      entry.suppressed++
      return
    }
    // Keys are source ids and fixed refusal kinds, so this bound is only a guard against a bug.
    if (last.size >= maxKeys && entry === undefined) last.clear()
    last.set(key, { at, suppressed: 0 })
    log(
      entry && entry.suppressed > 0
        ? `${message} (+${entry.suppressed} similar in the last ${windowMs / 1000} s)`
        : message
    )
  }
}
