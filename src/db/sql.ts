// postgres.js, configured: the pool's options (role, timeouts, reconnect backoff) and the names query
// code uses for a connection.
import postgres from "postgres"

export type Sql = postgres.Sql
export type TxSql = postgres.TransactionSql
/** Anything that runs queries: the pool, a transaction or a reserved connection. */
export type Queryable = postgres.ISql

export const APP_ROLE = "s2s_app"

/**
 * Whether queries use named prepared statements (postgres.js's and graphile-worker's default).
 * `DB_PREPARE=false` turns them off in both, for a pooler in transaction mode (PgBouncer before 1.21, or without max_prepared_statements),
 * where the next transaction may land on a server connection that never saw the statement.
 */
export const preparedStatements = (env: NodeJS.ProcessEnv = process.env): boolean => {
  // The values Effect's Config.boolean takes (DbLive checks the variable with it at start).
  const value = env.DB_PREPARE
  if (value === undefined || ["true", "yes", "on", "1"].includes(value)) return true
  if (["false", "no", "off", "0"].includes(value)) return false
  throw new Error(`DB_PREPARE must be true or false, not ${JSON.stringify(env.DB_PREPARE)}`)
}

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
    prepare: preparedStatements(),
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
