// The console's reads are short aggregations and scans the planner tends to overestimate on large
// tables; PostgreSQL's JIT then spends longer compiling than running them (1.1 s compiling a 0.5 s
// coverage aggregation over 100k orders on PostgreSQL 15). Each runs in a transaction of its own
// without it.
import type { Queryable, Sql } from "../db/Db.js"

export const withoutJit = <A>(sql: Sql, f: (tx: Queryable) => Promise<A>) =>
  sql.begin(async (tx) => {
    await tx`set local jit = off`
    return f(tx)
  }) as Promise<A>
