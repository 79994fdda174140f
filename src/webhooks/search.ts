// The webhook listing's query string, validated into filters, and its opaque cursor. Pure: the
// handler turns a Left into a 400 with the sentence it carries (the CLI into a usage error).
import { Either } from "effect"
import { NormalizationFailureReason, WebhookRejectionReason } from "../events/webhook.js"

/**
 * normalization_failed: recorded, but its last normalization failed (a re-run that succeeded takes it
 * off the list); rejected: a signed body refused with 400 at ingest.
 */
export const WEBHOOK_STATES = ["normalization_failed", "rejected"] as const
export type WebhookState = (typeof WEBHOOK_STATES)[number]

export const WEBHOOK_REASONS: ReadonlyArray<string> = [
  ...new Set([...NormalizationFailureReason.literals, ...WebhookRejectionReason.literals])
]

export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 500

export interface WebhookFilters {
  readonly states: ReadonlyArray<WebhookState>
  readonly source?: string | undefined
  readonly reasons?: ReadonlyArray<string> | undefined
  /** Recorded at or after (inclusive), ISO. */
  readonly from?: string | undefined
  /** Recorded before (exclusive), ISO. */
  readonly to?: string | undefined
  readonly limit: number
  /** The global position the previous page ended at. */
  readonly before?: number | undefined
}

export const WEBHOOK_PARAMS = ["state", "source", "reason", "from", "to", "limit", "cursor"] as const

export const encodeCursor = (position: number): string => Buffer.from(`p${position}`, "utf8").toString("base64url")

export const decodeCursor = (text: string): number | undefined => {
  const match = /^p(\d{1,18})$/.exec(Buffer.from(text, "base64url").toString("utf8"))
  return match ? Number(match[1]) : undefined
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/

const time = (name: string, value: string): Either.Either<string, string> => {
  const ms = ISO_TIME.test(value) ? Date.parse(value) : Number.NaN
  return Number.isNaN(ms)
    ? Either.left(`${name} must be an ISO 8601 date or time, e.g. 2026-11-01 or 2026-11-01T08:00:00Z (got "${value}")`)
    : Either.right(new Date(ms).toISOString())
}

const oneOf = <A extends string>(
  name: string,
  value: string,
  allowed: ReadonlyArray<A>
): Either.Either<ReadonlyArray<A>, string> => {
  const values = value.split(",").map((v) => v.trim())
  const known = values.filter((v): v is A => (allowed as ReadonlyArray<string>).includes(v))
  const unknown = values.filter((v) => !(allowed as ReadonlyArray<string>).includes(v))
  return unknown.length > 0
    ? Either.left(
        `${name} must be one of ${allowed.join(", ")} (comma-separated for several); got "${unknown.join(",")}"`
      )
    : Either.right(known)
}

/** Parses the raw query parameters (a repeated parameter is an error, as for the order search). */
export const parseWebhookSearch = (
  params: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): Either.Either<WebhookFilters, string> =>
  Either.gen(function* () {
    const unknown = Object.keys(params).filter((k) => !(WEBHOOK_PARAMS as ReadonlyArray<string>).includes(k))
    if (unknown.length > 0)
      return yield* Either.left(`unknown parameter ${unknown.join(", ")} (known: ${WEBHOOK_PARAMS.join(", ")})`)
    const single = (name: string): Either.Either<string | undefined, string> => {
      const value = params[name]
      if (value === undefined) return Either.right(undefined)
      if (typeof value !== "string") return Either.left(`${name} is given more than once`)
      return Either.right(value.trim() === "" ? undefined : value.trim())
    }
    const state = yield* single("state")
    const source = yield* single("source")
    const reason = yield* single("reason")
    const fromText = yield* single("from")
    const toText = yield* single("to")
    const limitText = yield* single("limit")
    const cursorText = yield* single("cursor")
    const from = fromText === undefined ? undefined : yield* time("from", fromText)
    const to = toText === undefined ? undefined : yield* time("to", toText)
    if (from !== undefined && to !== undefined && from >= to) return yield* Either.left("from must be before to")
    const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText)
    if (!/^\d+$/.test(limitText ?? "1") || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return yield* Either.left(`limit must be a whole number from 1 to ${MAX_LIMIT} (got "${limitText}")`)
    const before = cursorText === undefined ? undefined : decodeCursor(cursorText)
    if (cursorText !== undefined && before === undefined)
      return yield* Either.left("cursor is not one this API returned (pass nextCursor from the previous page as is)")
    return {
      states: state === undefined ? WEBHOOK_STATES : yield* oneOf("state", state, WEBHOOK_STATES),
      source,
      reasons: reason === undefined ? undefined : yield* oneOf("reason", reason, WEBHOOK_REASONS),
      from,
      to,
      limit,
      before
    }
  })
