// Forward-only migrations: graphile-worker's own schema first, then sql/NNNN_name.sql in order, each
// in its own transaction, recorded in schema_migrations with a checksum. A session advisory lock
// serializes migrators, so two processes starting at once both succeed (the second finds nothing to do).
// Runs as the connecting (owner) role: the app role cannot create or alter tables.
import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { runMigrations, Logger as WorkerLogger } from "graphile-worker"
import { fromRoot } from "../lib/paths.js"
import { Database } from "./Database.js"
import { makeSql, type Sql } from "./Db.js"

const SQL_DIR = fromRoot("sql")
const LOCK_KEY = 7_263_001

export interface MigrationFile {
  readonly version: number
  readonly name: string
  readonly text: string
  readonly checksum: string
}

export const migrationFiles = async (): Promise<ReadonlyArray<MigrationFile>> => {
  const names = (await fs.readdir(SQL_DIR)).filter((n) => /^\d{4}_.+\.sql$/.test(n)).sort()
  return Promise.all(
    names.map(async (name) => {
      const text = await fs.readFile(join(SQL_DIR, name), "utf8")
      return {
        version: Number.parseInt(name.slice(0, 4), 10),
        name,
        text,
        checksum: createHash("sha256").update(text).digest("hex")
      }
    })
  )
}

export class MigrationError extends Error {
  override readonly name = "MigrationError"
}

const silentLogger = new WorkerLogger(() => () => {})

/**
 * One connection, as the owner, never recycled: the advisory lock is held by its session, so a pool
 * that closed it while idle (graphile-worker's migrations run on their own connection meanwhile) would
 * drop the lock and reconnect without it.
 */
export const migrationConnection = (url: string) =>
  makeSql(url, { max: 1, role: null, applicationName: "s2s-migrate", recycle: false })

/** Applies what is missing; returns the names applied by this call. */
export const migrate = async (url: string): Promise<ReadonlyArray<string>> => {
  const files = await migrationFiles()
  const sql = migrationConnection(url)
  try {
    await sql`select pg_advisory_lock(${LOCK_KEY})`
    try {
      await runMigrations({ connectionString: url, logger: silentLogger })
      await sql`
        create table if not exists schema_migrations (
          version integer primary key,
          name text not null,
          checksum text not null,
          applied_at timestamptz not null default now()
        )`
      const applied = new Map(
        (
          await sql<Array<{ version: number; name: string; checksum: string }>>`
          select version, name, checksum from schema_migrations`
        ).map((r) => [r.version, r])
      )
      const done: Array<string> = []
      for (const file of files) {
        const previous = applied.get(file.version)
        if (previous) {
          if (previous.checksum !== file.checksum) {
            throw new MigrationError(
              `migration ${file.name} was changed after it was applied (migrations are forward-only: add a new file instead)`
            )
          }
          continue
        }
        await sql
          .begin(async (tx) => {
            await tx.unsafe(file.text)
            await tx`insert into schema_migrations (version, name, checksum) values (${file.version}, ${file.name}, ${file.checksum})`
          })
          .catch((cause: unknown) => {
            throw new MigrationError(`migration ${file.name} failed: ${(cause as Error).message}`)
          })
        done.push(file.name)
      }
      // /readyz (running as the app role) compares this table with the bundled files.
      await sql`grant select on schema_migrations to s2s_app`
      return done
    } finally {
      await sql`select pg_advisory_unlock(${LOCK_KEY})`.catch(() => undefined)
    }
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** Names of bundled migrations the database has not applied yet (for /readyz). */
export const pendingMigrations = async (sql: Sql): Promise<ReadonlyArray<string>> => {
  const files = await migrationFiles()
  const rows = await sql<Array<{ version: number }>>`select version from schema_migrations`
  const applied = new Set(rows.map((r) => r.version))
  return files.filter((f) => !applied.has(f.version)).map((f) => f.name)
}

/** Runs the migrations once when the layer is built (service start, CLI commands, tests). */
export const MigrationsLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const { ownerUrl } = yield* Database
    const applied = yield* Effect.tryPromise({
      try: () => migrate(ownerUrl),
      catch: (cause) => (cause instanceof MigrationError ? cause : new MigrationError(String(cause)))
    }).pipe(Effect.orDie)
    if (applied.length > 0) yield* Effect.logInfo(`applied migrations: ${applied.join(", ")}`)
  }).pipe(Effect.withSpan("Migrator.migrate"))
)
