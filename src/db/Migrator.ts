// Forward-only migrations: graphile-worker's own schema first, then sql/NNNN_name.sql in order, each
// in its own transaction, recorded in schema_migrations with a checksum. A session advisory lock
// serializes migrators, so two processes starting at once both succeed (the second finds nothing to do).
// Runs as the connecting (owner) role: the app role cannot create or alter tables.
//
// sql/0001-0009 are a baseline: the chain 0001-0054 squashed before the first release (sql/README.md).
// A database migrated by that whole chain has the baseline's schema (test/db/baseline.int.test.ts
// compares them), so it is recognised by the names and checksums the chain recorded and its records
// are replaced with the baseline's, in one transaction, without touching the schema. A database that
// applied only part of the old chain (or edited files of it) cannot be continued: it is refused with a
// MigrationError saying so. Files after the baseline are applied to both kinds alike.
import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import { join } from "node:path"
import { Data, Effect, Layer, Predicate } from "effect"
import { fromRoot } from "../lib/paths.js"
import { Database } from "./Database.js"
import { makeSql, type Queryable, type Sql } from "./Db.js"

const SQL_DIR = fromRoot("sql")
/** The session advisory lock that serializes migrators. */
export const LOCK_KEY = 7_263_001

/**
 * The last migration of the graphile-worker this release installs (its dist/generated/sql.js;
 * test/db/migrator.test.ts checks the number against the installed package). A database at exactly
 * this version with every file of sql/ applied needs nothing, so a command finds that out without
 * loading graphile-worker or taking the migration lock.
 */
export const WORKER_MIGRATION = 19

/** The last version of the baseline: files up to it replace the old chain. */
export const BASELINE_LAST_VERSION = 9

/**
 * The squashed chain as databases recorded it: file name and SHA-256. The files themselves are kept as
 * test/fixtures/legacy-migrations/ (test/db/baseline.int.test.ts checks this list against them).
 */
export const legacyChain: ReadonlyArray<readonly [name: string, checksum: string]> = [
  ["0001_event_store.sql", "a0e79a3fdd4cf9f92c8571be2ca389cf1f1026fdbc663fd52ab9dd15dbb63252"],
  ["0002_projections.sql", "c2669753ba3a944afa8c4a74068b20b142b6021351af6575321707903897bb39"],
  ["0003_api_tokens.sql", "961c79fe3b86cc0fde334cbf3151a6d0ca9ef23b1d98dcd5bf34ee80ad609752"],
  ["0004_order_index.sql", "d58ffec9f251767411179104fb79e270c262633fbf3936750567fe246a4fff37"],
  ["0005_conversions.sql", "f587a8ca0b98265ce65f64f77145b95fbbb1d4a8b7424e29cab730964463f7f0"],
  ["0006_alert_groups.sql", "57508adea91e86c1887c78557f9db1e91882309cdb8d33651fd93b054aabdf7b"],
  ["0007_dispatch_leases.sql", "f5de5ffcc62998b41966820d7715c45543a0978bfa0f620adde59185076c8f61"],
  ["0008_erasure.sql", "625a0bf5bef5e727571a43d4dfa21f81c093e45ccc754def3bd7860c6013dc27"],
  ["0009_append_function.sql", "f91bed70d0e9d1f81fc7144a70f1b54672e2d8f54d3a32825b9e779136dc2f02"],
  ["0010_unlogged_leases.sql", "5d94b17e9c6db6b82b9b2c1b4a73746fd1353c64e956ca0d90954897b85bef6a"],
  ["0011_record_deliveries.sql", "b44cdb1477dfc5e9ff38ed0332693eea6b7ab332f28a5681c3a9036050656aa4"],
  ["0012_job_counts.sql", "d77d99985727ec9d7a7c19ad30ce2e6a8f9e162903d9015ae15d0e2db4304e0f"],
  ["0013_append_idempotent.sql", "31dfd808399ed38ff54e68f8c8e96240a1ec0e50d9cdf855b04e54c9ac49c07e"],
  ["0014_erasure_order_keys_index.sql", "b5f4ed2f074e7acec7c503683dadb62a64b0676cecd7558436188f83c39184f0"],
  ["0015_conversions_tracking_state.sql", "8d4333a356e7290326d6535c7419434c3657827150b18c9cc63ab0d85bcfa5af"],
  ["0016_record_deliveries_shared_body.sql", "f4785861f981d8324ad1ce19da91591247105b427334952d830db4ed96015628"],
  ["0017_custom_plans_for_enqueue.sql", "2fd63073dc04fa23c5c93c2116a67a41829de05254eed5f942936ba536165999"],
  ["0018_generic_index_plans_for_enqueue.sql", "e5fdd5d28f7dd0d6580d0c4347fc2972508085e11443b160b98cab32c5a113c4"],
  ["0020_worker_registry.sql", "e9da2e5e1b1577d33f08f3cc14ebb5f73a50423ac9cdfe55fb938459becc4045"],
  ["0030_webhook_problems_index.sql", "9f28adce342d3ff9c2891c80a81e32fb608e9fea917fa919ad7a4eee1615fad6"],
  ["0040_token_revocation.sql", "f3548b09f3b3554d4efde2216d7b6779525c65a9757d80448d9494c1cacc9d17"],
  ["0050_console.sql", "32fe002943da57d6e58a630dd1729ad8b50dd6b3d47bdc80dc73c5c2a594f2a0"],
  ["0051_console_order_search.sql", "9a56e691b3669bfe6a04e3abd487a6e292f7bd0a1da8a0a5dde8a5f14af35b1d"],
  ["0052_console_dispatch_facts.sql", "14bf53d666148c4dca57889ecdd1ae7e563852f21796fb74936e1bc3e8fc2c61"],
  ["0053_console_queue.sql", "880f21baff182852fae612615371fe55a373462d6d80b08d1926c64ed642b190"],
  ["0054_console_webhook_problems.sql", "0f9a356b7290f57d9b5e737623968fca4fe49c0d4c5487add0042ebbecaf45b6"]
]

export interface MigrationFile {
  readonly version: number
  readonly name: string
  readonly text: string
  readonly checksum: string
}

/** The migrations in `dir` (sql/ by default), in order; two files with one number are refused. */
export const migrationFiles = async (dir: string = SQL_DIR): Promise<ReadonlyArray<MigrationFile>> => {
  const names = (await fs.readdir(dir)).filter((n) => /^\d{4}_.+\.sql$/.test(n)).sort()
  const twice = names.filter((n, i) => i > 0 && n.slice(0, 4) === names[i - 1]?.slice(0, 4))
  if (twice.length > 0)
    throw new MigrationError({
      message: `two migrations are numbered ${twice.map((n) => n.slice(0, 4)).join(", ")}: renumber the newer one`
    })
  return Promise.all(
    names.map(async (name) => {
      const text = await fs.readFile(join(dir, name), "utf8")
      return {
        version: Number.parseInt(name.slice(0, 4), 10),
        name,
        text,
        checksum: createHash("sha256").update(text).digest("hex")
      }
    })
  )
}

/** A migration that cannot run: a bad file set, a database of part of the old chain, a failing file. */
export class MigrationError extends Data.TaggedError("MigrationError")<{ readonly message: string }> {}

/**
 * One connection, as the owner, never recycled: the advisory lock is held by its session, so a pool
 * that closed it while idle (graphile-worker's migrations run on their own connection meanwhile) would
 * drop the lock and reconnect without it.
 */
export const migrationConnection = (url: string) =>
  makeSql(url, { max: 1, role: null, applicationName: "s2s-migrate", recycle: false })

interface Applied {
  readonly version: number
  readonly name: string
  readonly checksum: string
}

/**
 * "none": no record of the old chain. "complete": exactly the old chain, every file unchanged.
 * "partial": some of it (or edited files of it), which the baseline cannot continue.
 */
const legacyState = (rows: ReadonlyArray<Applied>): "none" | "complete" | "partial" => {
  const legacy = new Map(legacyChain)
  const matching = rows.filter((r) => legacy.get(r.name) === r.checksum)
  if (matching.length === 0) return "none"
  return matching.length === legacy.size && rows.length === legacy.size ? "complete" : "partial"
}

export interface MigrateOptions {
  /** The files to apply instead of sql/ (the baseline test applies the old chain this way). */
  readonly files?: ReadonlyArray<MigrationFile>
  /** Told when the records of the old chain are replaced with the baseline's. */
  readonly onLegacy?: (message: string) => void
}

/**
 * Whether the database has graphile-worker's schema at WORKER_MIGRATION and exactly `files`, unchanged.
 * Read without the lock: each file and its record commit together, so a migrator running meanwhile
 * shows either less (and the caller migrates, waiting for the lock) or all of it.
 */
const upToDate = async (sql: Sql, files: ReadonlyArray<MigrationFile>): Promise<boolean> => {
  const [tables] = await sql<Array<{ ours: boolean; worker: boolean }>>`
    select to_regclass('schema_migrations') is not null as ours,
           to_regclass('graphile_worker.migrations') is not null as worker`
  if (!tables?.ours || !tables.worker) return false
  const [worker] = await sql<
    Array<{ id: number }>
  >`select coalesce(max(id), 0)::int as id from graphile_worker.migrations`
  if (worker?.id !== WORKER_MIGRATION) return false
  const rows = await sql<Array<Applied>>`select version, name, checksum from schema_migrations`
  const recorded = new Map(rows.map((r) => [r.version, r]))
  return (
    rows.length === files.length &&
    files.every((f) => recorded.get(f.version)?.name === f.name && recorded.get(f.version)?.checksum === f.checksum)
  )
}

/** graphile-worker's own migrations (its package is loaded only when something is to be applied). */
const migrateWorkerSchema = async (url: string) => {
  const { runMigrations, Logger } = await import("graphile-worker")
  await runMigrations({ connectionString: url, logger: new Logger(() => () => {}) })
}

/** Applies what is missing; returns the names applied by this call. */
export const migrate = async (url: string, options: MigrateOptions = {}): Promise<ReadonlyArray<string>> => {
  const files = options.files ?? (await migrationFiles())
  const sql = migrationConnection(url)
  try {
    if (await upToDate(sql, files)) return []
    await sql`select pg_advisory_lock(${LOCK_KEY})`
    try {
      await migrateWorkerSchema(url)
      await sql`
        create table if not exists schema_migrations (
          version integer primary key,
          name text not null,
          checksum text not null,
          applied_at timestamptz not null default now()
        )`
      const rows = await sql<Array<Applied>>`select version, name, checksum from schema_migrations`
      const own = rows.every((r) => files.some((f) => f.name === r.name && f.checksum === r.checksum))
      if (!own) await replaceLegacyRecords(sql, rows, files, options)
      const applied = new Map(
        (await sql<Array<Applied>>`select version, name, checksum from schema_migrations`).map((r) => [r.version, r])
      )
      const done: Array<string> = []
      for (const file of files) {
        const previous = applied.get(file.version)
        if (previous) {
          if (previous.checksum !== file.checksum) {
            throw new MigrationError({
              message: `migration ${file.name} was changed after it was applied (migrations are forward-only: add a new file instead)`
            })
          }
          continue
        }
        await sql
          .begin(async (tx) => {
            await tx.unsafe(file.text)
            await tx`insert into schema_migrations (version, name, checksum) values (${file.version}, ${file.name}, ${file.checksum})`
          })
          .catch((cause: unknown) => {
            throw new MigrationError({ message: `migration ${file.name} failed: ${(cause as Error).message}` })
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

/**
 * A database migrated by the whole old chain gets the baseline's records in place of the chain's (its
 * schema is the baseline's already); one that applied only part of it is refused. Records the
 * migrator does not know otherwise (a newer release's files) are left to the checks that follow.
 */
const replaceLegacyRecords = async (
  sql: Sql,
  rows: ReadonlyArray<Applied>,
  files: ReadonlyArray<MigrationFile>,
  options: MigrateOptions
) => {
  const state = legacyState(rows)
  if (state === "none") return
  const baseline = files.filter((f) => f.version <= BASELINE_LAST_VERSION)
  if (state === "partial") {
    const last = rows
      .map((r) => r.name)
      .sort()
      .at(-1)
    throw new MigrationError({
      message:
        `the database was migrated by part of the migration chain that sql/0001-${String(BASELINE_LAST_VERSION).padStart(4, "0")} replaced (up to ${last}): ` +
        "the baseline only continues a database that applied all of it (run `s2s migrate` of a version from before the squash, git commit 31c2271, on it first, or start from an empty database)"
    })
  }
  await sql.begin(async (tx) => {
    await tx`delete from schema_migrations`
    for (const file of baseline)
      await tx`insert into schema_migrations (version, name, checksum) values (${file.version}, ${file.name}, ${file.checksum})`
  })
  options.onLegacy?.(
    `the database was migrated by the chain squashed into the baseline: recorded ${baseline.map((f) => f.name).join(", ")} in its place (its schema is the baseline's)`
  )
}

/** Names of bundled migrations the database has not applied yet (for /readyz). */
export const pendingMigrations = async (sql: Queryable): Promise<ReadonlyArray<string>> => {
  const files = await migrationFiles()
  const rows = await sql<Array<{ version: number }>>`select version from schema_migrations`
  const applied = new Set(rows.map((r) => r.version))
  return files.filter((f) => !applied.has(f.version)).map((f) => f.name)
}

/** Runs the migrations once when the layer is built (service start, CLI commands, tests). */
export const MigrationsLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const { ownerUrl } = yield* Database
    const notes: Array<string> = []
    const applied = yield* Effect.tryPromise({
      try: () => migrate(ownerUrl, { onLegacy: (note) => notes.push(note) }),
      catch: (cause) =>
        Predicate.isTagged(cause, "MigrationError")
          ? (cause as MigrationError)
          : new MigrationError({ message: String(cause) })
    }).pipe(Effect.orDie)
    for (const note of notes) yield* Effect.logInfo(note)
    if (applied.length > 0) yield* Effect.logInfo(`applied migrations: ${applied.join(", ")}`)
  }).pipe(Effect.withSpan("Migrator.migrate"))
)
