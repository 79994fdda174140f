// The console's reads are short aggregations and scans the planner tends to overestimate on large
// tables; PostgreSQL's JIT then spends longer compiling than running them (1.1 s compiling a 0.5 s
// coverage aggregation over 100k orders on PostgreSQL 15). Each runs in a transaction of its own
// without it.
import { Effect } from "effect"
import type { DbError, DbService, Queryable } from "../db/Db.js"

export const withoutJit = <A>(db: DbService, operation: string, f: (tx: Queryable) => Promise<A>) =>
  db.withTransaction(
    db.query(operation, async (tx) => {
      await tx`set local jit = off`
      return f(tx)
    })
  )

/** Several reads without JIT at once, each in its own transaction (and connection). */
export const allWithoutJit = <const T extends ReadonlyArray<(tx: Queryable) => Promise<unknown>>>(
  db: DbService,
  operation: string,
  reads: T
) =>
  Effect.all(
    reads.map((f) => withoutJit(db, operation, f)),
    { concurrency: "unbounded" }
  ) as Effect.Effect<{ -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }, DbError>
