// Transactions as a scoped Effect: `withTransaction` reserves a connection, sends BEGIN, runs its
// effect with the connection in the CurrentTransaction FiberRef (every query inside, also in forked
// fibers, joins it; a nested call joins too), and commits, or rolls back on failure, defect or
// interruption. See README.md.
import { Effect, Exit, FiberRef, Option } from "effect"
import type postgres from "postgres"
import { type DbError, QueryFailed, toDbError } from "./errors.js"
import { runOn } from "./run.js"
import type { Queryable, Sql } from "./sql.js"

/**
 * The connection of the transaction this fiber runs in (set by `withTransaction`, inherited by the
 * fibers it forks): queries join it instead of taking a pool connection.
 */
export const CurrentTransaction: FiberRef.FiberRef<Option.Option<Queryable>> = FiberRef.unsafeMake<
  Option.Option<Queryable>
>(Option.none())

/** True inside `withTransaction`. */
export const inTransaction: Effect.Effect<boolean> = Effect.map(FiberRef.get(CurrentTransaction), Option.isSome)

/** `withTransaction` on connections reserved from `sql`'s pool. */
export const makeWithTransaction = (sql: Sql) => {
  const control = (conn: Queryable, statement: string) =>
    runOn(conn, `transaction ${statement}`, (c) => c.unsafe(statement)).pipe(Effect.asVoid)

  // The server answers COMMIT of a transaction that failed (a caller caught a query's error and went
  // on) with ROLLBACK and no error: that is a failure too.
  const commit = (conn: Queryable) =>
    runOn(conn, "transaction commit", (c) => c.unsafe("commit")).pipe(
      Effect.flatMap((result) =>
        result.command === "ROLLBACK"
          ? Effect.fail(
              new QueryFailed({
                operation: "transaction commit",
                code: "TRANSACTION_ROLLED_BACK",
                cause: new Error("the server rolled the transaction back instead of committing it")
              })
            )
          : Effect.void
      )
    )

  // A reserved connection, not `sql.begin`: the transaction's body is an Effect, not a callback, so
  // it can be interrupted and can run queries from any fiber that inherits CurrentTransaction.
  const reserve = Effect.async<postgres.ReservedSql, DbError>((resume) => {
    const controller = new AbortController()
    const pending = sql.reserve().signal(controller.signal)
    const settled = pending.then(
      (conn) => resume(Effect.succeed(conn)),
      (cause: unknown) => resume(Effect.fail(toDbError("transaction reserve", cause)))
    )
    // Interrupted while it waited for a connection: withdraw the request; one handed over meanwhile goes back.
    return Effect.promise(() => {
      controller.abort()
      return settled.then(() => pending.then((conn) => conn.release()).catch(() => undefined))
    })
  })

  const withTransaction = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | DbError, R> =>
    Effect.flatMap(FiberRef.get(CurrentTransaction), (current) =>
      Option.isSome(current)
        ? self
        : Effect.acquireUseRelease(
            reserve,
            (conn) =>
              control(conn, "begin").pipe(
                Effect.zipRight(Effect.locally(self, CurrentTransaction, Option.some<Queryable>(conn))),
                Effect.tap(() => commit(conn))
              ),
            (conn, exit) =>
              // A failed commit is already over on the server; a rollback then is answered with a warning.
              (Exit.isSuccess(exit) ? Effect.void : Effect.ignore(control(conn, "rollback"))).pipe(
                Effect.ensuring(Effect.sync(() => conn.release()))
              )
          )
    )

  return withTransaction
}
