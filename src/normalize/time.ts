// Times leave normalization as ISO 8601 UTC with milliseconds ("2024-03-01T09:00:00.000Z"), so they
// compare as strings and two parses of one payload are identical. A time without an offset would be
// read in the worker's local zone (different on every machine), so it is only accepted where the
// platform documents it as UTC (WooCommerce's *_gmt fields).

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i
const WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/

const iso = (text: string): string | undefined => {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) return undefined
  const date = new Date(ms)
  // Year 1 is Paddle's "not set" (0001-01-01T00:00:00Z); nothing we receive predates 1970.
  return date.getUTCFullYear() < 1970 ? undefined : date.toISOString()
}

/** An ISO 8601 time with an offset -> UTC ISO; undefined when absent, offset-less or invalid. */
export const isoTime = (value: string | null | undefined): string | undefined =>
  value && WITH_OFFSET.test(value.trim()) ? iso(value.trim().replace(" ", "T")) : undefined

/** WooCommerce's `date_*_gmt` ("2024-08-06T03:43:53", UTC without a suffix) -> UTC ISO. */
export const gmtTime = (value: string | null | undefined): string | undefined => {
  if (!value) return undefined
  const trimmed = value.trim()
  if (WITH_OFFSET.test(trimmed)) return isoTime(trimmed)
  return WITHOUT_OFFSET.test(trimmed) ? iso(`${trimmed.replace(" ", "T")}Z`) : undefined
}

/** Unix seconds (Stripe) -> UTC ISO. */
export const unixTime = (seconds: number | null | undefined): string | undefined =>
  typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0
    ? new Date(seconds * 1000).toISOString()
    : undefined

/** Unix milliseconds -> UTC ISO (the creation time inside an fbc cookie). */
export const unixMillis = (ms: number): string | undefined =>
  Number.isFinite(ms) && ms > 946_684_800_000 && ms < 4_102_444_800_000 ? new Date(ms).toISOString() : undefined
