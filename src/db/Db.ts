// postgres.js as a scoped service: one pool per process, connecting as the restricted `s2s_app` role
// (SET ROLE at connection start), probed on start, drained on shutdown.
//
// Query code is plain postgres.js tagged templates next to its owner; `run` and `transaction` bridge
// them into Effect. A failing query is a DbError: most callers cannot act on it and let it become a
// defect at the edge; the webhook endpoint turns it into a 503 so the platform retries.
import { Config, Context, Data, Duration, Effect, Layer, Schedule } from "effect"
import postgres from "postgres"
import { Database } from "./Database.js"

export type Sql = postgres.Sql
export type TxSql = postgres.TransactionSql
/** Anything that runs queries: the pool or a transaction. */
export type Queryable = postgres.ISql

export class DbError extends Data.TaggedError("DbError")<{
  readonly operation: string
  readonly cause: unknown
}> {
  override get message() {
    const cause = this.cause as { message?: string; code?: string } | undefined
    return `database operation ${this.operation} failed: ${cause?.code ? `[${cause.code}] ` : ""}${cause?.message ?? String(this.cause)}`
  }
}

export interface DbService {
  readonly sql: Sql
  readonly url: string
  readonly run: <A>(operation: string, f: (sql: Sql) => Promise<A>) => Effect.Effect<A, DbError>
  readonly transaction: <A>(operation: string, f: (tx: TxSql) => Promise<A>) => Effect.Effect<A, DbError>
}

export class Db extends Context.Tag("app/Db")<Db, DbService>() {}

export const APP_ROLE = "s2s_app"

export const makeSql = (
  url: string,
  options: {
    max?: number
    role?: string | null
    applicationName?: string
    /** false: the connection is never closed for being idle or old (it holds a session lock). */
    recycle?: boolean
  } = {}
) =>
  postgres(url, {
    max: options.max ?? 10,
    // 0 disables the timer in postgres.js.
    idle_timeout: options.recycle === false ? 0 : 30,
    max_lifetime: options.recycle === false ? 0 : 60 * 30,
    connect_timeout: 10,
    // Seconds before the next connection attempt after failures. postgres.js grows it to 20 s, so a
    // database back after an outage would wait that long for its first connection; a connection
    // attempt is cheap, and /readyz promises green within 5 s of the database's return.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1) * (0.5 + Math.random() / 2),
    onnotice: () => {},
    connection: {
      application_name: options.applicationName ?? "s2s",
      ...(options.role === null ? {} : { role: options.role ?? APP_ROLE })
    }
  })

const wrap =
  (sql: Sql) =>
  <A>(operation: string, f: (sql: Sql) => Promise<A>): Effect.Effect<A, DbError> =>
    Effect.tryPromise({ try: () => f(sql), catch: (cause) => new DbError({ operation, cause }) })

export const makeDbService = (sql: Sql, url: string): DbService => ({
  sql,
  url,
  run: wrap(sql),
  transaction: (operation, f) =>
    Effect.tryPromise({
      try: () => sql.begin((tx) => f(tx)) as unknown as Promise<never>,
      catch: (cause) => new DbError({ operation, cause })
    })
})

export const DbLive = Layer.scoped(
  Db,
  Effect.gen(function* () {
    const { url } = yield* Database
    const max = yield* Config.integer("DB_POOL_MAX").pipe(Config.withDefault(20))
    const sql = yield* Effect.acquireRelease(
      Effect.sync(() => makeSql(url, { max })),
      (sql) => Effect.promise(() => sql.end({ timeout: 5 }))
    )
    const service = makeDbService(sql, url)
    // Probe: a server that is still starting (or a wrong URL) fails here, clearly, not at the first request.
    yield* service
      .run("probe", (sql) => sql`select 1`)
      .pipe(
        Effect.retry(Schedule.spaced(Duration.millis(500)).pipe(Schedule.intersect(Schedule.recurs(20)))),
        Effect.orDie
      )
    return service
  })
)
