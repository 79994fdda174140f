// The order search's query string, validated into filters, and its opaque keyset cursor. Pure: the
// handler turns a Left into a 400 with the sentence it carries.
import { Either } from "effect"

export const ORDER_STATUSES = ["pending", "paid", "partially_refunded", "refunded", "cancelled", "ignored"] as const
export const DISPATCH_STATES = [
  "none",
  "pending",
  "delivered",
  "partial",
  "failed",
  "dead_lettered",
  "skipped",
  "held"
] as const
/** conversionView.ts trackingState: no tracking, utm naming Google/Meta without its click id, fine. */
export const TRACKING_STATES = ["none", "inconsistent", "ok"] as const
export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 500

/** Where the previous page ended: placed_at (microseconds, UTC) and order key of its last row. */
export interface Cursor {
  readonly placedAt: string | null
  readonly orderKey: string
}

export interface SearchFilters {
  readonly company?: string | undefined
  readonly partner?: string | undefined
  readonly market?: string | undefined
  readonly statuses?: ReadonlyArray<string> | undefined
  readonly dispatchStates?: ReadonlyArray<string> | undefined
  readonly missingTracking?: boolean | undefined
  readonly trackingStates?: ReadonlyArray<string> | undefined
  /** Placed at or after (inclusive). */
  readonly from?: string | undefined
  /** Placed before (exclusive). */
  readonly to?: string | undefined
  readonly limit: number
  readonly after?: Cursor | undefined
}

export const SEARCH_PARAMS = [
  "company",
  "partner",
  "market",
  "status",
  "dispatchState",
  "missingTracking",
  "tracking",
  "from",
  "to",
  "limit",
  "cursor"
] as const

export const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify([cursor.placedAt, cursor.orderKey]), "utf8").toString("base64url")

export const decodeCursor = (text: string): Cursor | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"))
    if (!Array.isArray(value) || value.length !== 2) return undefined
    const [placedAt, orderKey] = value as [unknown, unknown]
    if (typeof orderKey !== "string") return undefined
    if (placedAt === null) return { placedAt: null, orderKey }
    return typeof placedAt === "string" && !Number.isNaN(Date.parse(placedAt)) ? { placedAt, orderKey } : undefined
  } catch {
    return undefined
  }
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/

const time = (name: string, value: string): Either.Either<string, string> => {
  const ms = ISO_TIME.test(value) ? Date.parse(value) : Number.NaN
  return Number.isNaN(ms)
    ? Either.left(`${name} must be an ISO 8601 date or time, e.g. 2026-11-01 or 2026-11-01T08:00:00Z (got "${value}")`)
    : Either.right(new Date(ms).toISOString())
}

const oneOf = (
  name: string,
  value: string,
  allowed: ReadonlyArray<string>
): Either.Either<ReadonlyArray<string>, string> => {
  const values = value.split(",").map((v) => v.trim())
  const unknown = values.filter((v) => !allowed.includes(v))
  return unknown.length > 0
    ? Either.left(
        `${name} must be one of ${allowed.join(", ")} (comma-separated for several); got "${unknown.join(",")}"`
      )
    : Either.right(values)
}

/** Parses the raw query parameters (a repeated parameter is an error: which one would win is a guess). */
export const parseSearch = (
  params: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): Either.Either<SearchFilters, string> =>
  Either.gen(function* () {
    const unknown = Object.keys(params).filter((k) => !(SEARCH_PARAMS as ReadonlyArray<string>).includes(k))
    if (unknown.length > 0)
      return yield* Either.left(`unknown parameter ${unknown.join(", ")} (known: ${SEARCH_PARAMS.join(", ")})`)
    const single = (name: string): Either.Either<string | undefined, string> => {
      const value = params[name]
      if (value === undefined) return Either.right(undefined)
      if (typeof value !== "string") return Either.left(`${name} is given more than once`)
      return Either.right(value.trim() === "" ? undefined : value.trim())
    }
    const company = yield* single("company")
    const partner = yield* single("partner")
    const market = yield* single("market")
    const status = yield* single("status")
    const dispatchState = yield* single("dispatchState")
    const missing = yield* single("missingTracking")
    const tracking = yield* single("tracking")
    const fromText = yield* single("from")
    const toText = yield* single("to")
    const limitText = yield* single("limit")
    const cursorText = yield* single("cursor")
    if (missing !== undefined && missing !== "true" && missing !== "false")
      return yield* Either.left(`missingTracking must be true or false (got "${missing}")`)
    const from = fromText === undefined ? undefined : yield* time("from", fromText)
    const to = toText === undefined ? undefined : yield* time("to", toText)
    if (from !== undefined && to !== undefined && from >= to) return yield* Either.left("from must be before to")
    const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText)
    if (!/^\d+$/.test(limitText ?? "1") || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return yield* Either.left(`limit must be a whole number from 1 to ${MAX_LIMIT} (got "${limitText}")`)
    const after = cursorText === undefined ? undefined : decodeCursor(cursorText)
    if (cursorText !== undefined && after === undefined)
      return yield* Either.left("cursor is not one this API returned (pass nextCursor from the previous page as is)")
    return {
      company,
      partner,
      market: market?.toUpperCase(),
      statuses: status === undefined ? undefined : yield* oneOf("status", status, ORDER_STATUSES),
      dispatchStates:
        dispatchState === undefined ? undefined : yield* oneOf("dispatchState", dispatchState, DISPATCH_STATES),
      missingTracking: missing === undefined ? undefined : missing === "true",
      trackingStates: tracking === undefined ? undefined : yield* oneOf("tracking", tracking, TRACKING_STATES),
      from,
      to,
      limit,
      after
    }
  })
