// The layers every command that touches the database needs, apart from the service's (main.ts): a
// one-shot command (`s2s tokens list`, `s2s orders log`) loads this and what it imports, not the HTTP
// server, the worker, the channels and their packages (test/cli/startup.test.ts checks the chunk).
import { Layer } from "effect"
import { ConfigStateLive } from "../config/ConfigState.js"
import { SecretsLive } from "../config/Secrets.js"
import { type Database, DatabaseLive } from "../db/Database.js"
import { DbLive } from "../db/Db.js"
import { MigrationsLive } from "../db/Migrator.js"
import { EventStoreLive } from "../events/EventStore.js"
import { TokensLive } from "../tokens/Tokens.js"

/** Database located (embedded or DATABASE_URL), migrated, and the app-role pool open. */
export const databaseReady = <E, R>(database: Layer.Layer<Database, E, R>) =>
  DbLive.pipe(Layer.provideMerge(MigrationsLive), Layer.provideMerge(database))
export const DatabaseReady = databaseReady(DatabaseLive)

/** What every command that touches the database needs. */
export const makeCore = <E, R>(database: Layer.Layer<Database, E, R>) =>
  Layer.mergeAll(EventStoreLive, ConfigStateLive, TokensLive).pipe(
    Layer.provideMerge(Layer.merge(EventStoreLive, SecretsLive)),
    Layer.provideMerge(databaseReady(database))
  )
export const CoreLive = makeCore(DatabaseLive)
