// postgres.js as a scoped Effect service: one pool per process, connecting as the restricted `s2s_app`
// role (SET ROLE at connection start), probed on start, drained on shutdown.
//
// Query code stays plain postgres.js tagged templates next to its owner; `query` runs them as an
// Effect (run.ts): on the current transaction's connection when there is one (a FiberRef set by
// `withTransaction`, transaction.ts), else on the pool. Interruption cancels the queries it sent and
// waits until they ended. A failure is one of four tagged errors (errors.ts: ConnectionLost,
// SerializationFailure, UniqueViolation, QueryFailed); most callers cannot act on them and let them
// become defects at the edge (`orDieOnDbError`); the webhook endpoint turns them into a 503 so the
// platform retries. See README.md in this folder.
import { Config, Context, Duration, Effect, FiberRef, Layer, Option, Schedule } from "effect"
import { Database } from "./Database.js"
import type { DbError } from "./errors.js"
import { runOn } from "./run.js"
import { makeSql, type Queryable, type Sql } from "./sql.js"
import { CurrentTransaction, inTransaction, makeWithTransaction } from "./transaction.js"

export {
  ConnectionLost,
  type DbError,
  isDbError,
  orDieOnDbError,
  QueryFailed,
  SerializationFailure,
  toDbError,
  UniqueViolation
} from "./errors.js"
export { withinDeadline } from "./run.js"
export { APP_ROLE, makeSql, type Queryable, type Sql, type TxSql } from "./sql.js"
export { CurrentTransaction } from "./transaction.js"

export interface DbService {
  /** The pool itself, for what is not a query (LISTEN, COPY streams) and for tools. */
  readonly sql: Sql
  readonly url: string
  /**
   * Runs `f`'s queries in the current transaction, or on the pool outside one. Interruption cancels
   * them. `f` must not start a transaction of its own (`sql.begin`): use `withTransaction`.
   */
  readonly query: <A>(operation: string, f: (sql: Queryable) => PromiseLike<A>) => Effect.Effect<A, DbError>
  /**
   * Runs `self` in a transaction: every `query` inside it (also in fibers it forks) uses the
   * transaction's connection. Commits when `self` succeeds; rolls back when it fails, dies or is
   * interrupted. A nested `withTransaction` joins the outer transaction (no savepoint): its failure
   * fails the outer one, which rolls back as a whole.
   */
  readonly withTransaction: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | DbError, R>
  /** True inside `withTransaction`. */
  readonly inTransaction: Effect.Effect<boolean>
}

export class Db extends Context.Tag("app/Db")<Db, DbService>() {}

export const makeDbService = (sql: Sql, url: string): DbService => ({
  sql,
  url,
  query: (operation, f) =>
    Effect.flatMap(FiberRef.get(CurrentTransaction), (tx) =>
      runOn(
        Option.getOrElse(tx, () => sql),
        operation,
        f
      )
    ),
  withTransaction: makeWithTransaction(sql),
  inTransaction
})

export const DbLive = Layer.scoped(
  Db,
  Effect.gen(function* () {
    const { url } = yield* Database
    const max = yield* Config.integer("DB_POOL_MAX").pipe(Config.withDefault(20))
    // Read by makeSql for every pool and by the worker for graphile-worker's: checked here first, so a
    // wrong value is a configuration error at start.
    yield* Config.boolean("DB_PREPARE").pipe(Config.withDefault(true))
    const sql = yield* Effect.acquireRelease(
      Effect.sync(() => makeSql(url, { max })),
      (sql) => Effect.promise(() => sql.end({ timeout: 5 }))
    )
    const service = makeDbService(sql, url)
    // Probe: a server that is still starting (or a wrong URL) fails here, clearly, not at the first request.
    yield* service
      .query("probe", (sql) => sql`select 1`)
      .pipe(
        Effect.retry(Schedule.spaced(Duration.millis(500)).pipe(Schedule.intersect(Schedule.recurs(20)))),
        Effect.orDie
      )
    return service
  })
)
