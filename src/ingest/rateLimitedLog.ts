// Refused webhooks are logged at most once per key and window, with a count of what was suppressed,
// so a flood of bad signatures cannot flood the logs. Never logs payloads.
export const makeRateLimitedLog = (windowMs: number, log: (message: string) => void) => {
  const last = new Map<string, { at: number; suppressed: number }>()
  return (message: string, key: string) => {
    const now = Date.now()
    const entry = last.get(key)
    if (entry && now - entry.at < windowMs) {
      entry.suppressed++
      return
    }
    if (last.size > 10_000) last.clear()
    last.set(key, { at: now, suppressed: 0 })
    log(
      entry && entry.suppressed > 0
        ? `${message} (+${entry.suppressed} similar in the last ${windowMs / 1000} s)`
        : message
    )
  }
}
