// The database's failures as tagged errors, matched with `Effect.catchTag`: what a postgres.js promise
// rejected with, classified once (toDbError) by what a caller can do about it. See README.md.
import { Data, Effect } from "effect"

/** The connection went away (server shut down or crashed, backend terminated, network, refused). */
export class ConnectionLost extends Data.TaggedError("ConnectionLost")<{
  readonly operation: string
  readonly code: string | undefined
  readonly cause: unknown
}> {
  override get message() {
    return `database operation ${this.operation} lost its connection${describe(this.code, this.cause)}`
  }
}

/** 40001 (serialization_failure) or 40P01 (deadlock_detected): the transaction may be retried. */
export class SerializationFailure extends Data.TaggedError("SerializationFailure")<{
  readonly operation: string
  readonly code: string
  readonly cause: unknown
}> {
  override get message() {
    return `database operation ${this.operation} could not be serialized${describe(this.code, this.cause)}`
  }
}

/** 23505. The constraint's name, never the key's value (it may be personal data). */
export class UniqueViolation extends Data.TaggedError("UniqueViolation")<{
  readonly operation: string
  readonly constraint: string | undefined
  readonly cause: unknown
}> {
  override get message() {
    return `database operation ${this.operation} violated unique constraint ${this.constraint ?? "(unknown)"}`
  }
}

/** Any other failure of a query: its SQLSTATE (or postgres.js code) is in `code`. */
export class QueryFailed extends Data.TaggedError("QueryFailed")<{
  readonly operation: string
  readonly code: string | undefined
  readonly cause: unknown
}> {
  override get message() {
    return `database operation ${this.operation} failed${describe(this.code, this.cause)}`
  }
}

export type DbError = ConnectionLost | SerializationFailure | UniqueViolation | QueryFailed

const describe = (code: string | undefined, cause: unknown) =>
  `: ${code ? `[${code}] ` : ""}${(cause as { message?: string } | undefined)?.message ?? String(cause)}`

const DB_ERROR_TAGS: ReadonlySet<unknown> = new Set([
  "ConnectionLost",
  "SerializationFailure",
  "UniqueViolation",
  "QueryFailed"
])

export const isDbError = (u: unknown): u is DbError =>
  typeof u === "object" && u !== null && DB_ERROR_TAGS.has((u as { _tag?: unknown })._tag)

/** For callers that cannot act on a database failure: it becomes a defect (a 500 at the HTTP edge). */
export const orDieOnDbError = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, DbError>, R> =>
  Effect.catchIf(self, isDbError, Effect.die) as Effect.Effect<A, Exclude<E, DbError>, R>

// SQLSTATE class 08 is connection_exception; 57P01-57P03 are admin/crash shutdown and cannot connect now.
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "CANCEL_UNANSWERED",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01",
  "57P02",
  "57P03"
])

/** Classifies whatever a postgres.js promise rejected with. */
export const toDbError = (operation: string, cause: unknown): DbError => {
  const error = cause as { code?: unknown; constraint_name?: unknown; cause?: { code?: unknown } } | undefined
  const code = typeof error?.code === "string" ? error.code : undefined
  const inner = typeof error?.cause?.code === "string" ? error.cause.code : undefined
  if (code !== undefined && (CONNECTION_CODES.has(code) || code.startsWith("08")))
    return new ConnectionLost({ operation, code, cause })
  // A query that timed out because its cancel got no answer: whether it ran is unknown, as on a lost connection.
  if (code === "QUERY_TIMEOUT" && inner === "CANCEL_UNANSWERED") return new ConnectionLost({ operation, code, cause })
  if (code === "40001" || code === "40P01") return new SerializationFailure({ operation, code, cause })
  if (code === "23505") {
    const constraint = typeof error?.constraint_name === "string" ? error.constraint_name : undefined
    return new UniqueViolation({ operation, constraint, cause })
  }
  return new QueryFailed({ operation, code, cause })
}
