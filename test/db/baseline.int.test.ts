// sql/0001-0009 squash the chain 0001-0054 (kept as test/fixtures/legacy-migrations/): a fresh database
// migrated by the old chain and one migrated by the baseline must have the same schema, compared from
// pg_catalog (schemaSnapshot.ts). Files added after the baseline are applied to neither side. A
// database migrated by the old chain is then recognised by the migrator and continued.
import { randomBytes } from "node:crypto"
import postgres from "postgres"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import {
  BASELINE_LAST_VERSION,
  legacyChain,
  type MigrationFile,
  migrate,
  migrationFiles
} from "../../src/db/Migrator.js"
import { fromRoot } from "../../src/lib/paths.js"
import { withDatabase } from "../support/db.js"
import { runDatabasePrefix } from "../support/runPrefix.js"
import { schemaSnapshot } from "./schemaSnapshot.js"

const admin = postgres(inject("pgAdminUrl"), { max: 1, onnotice: () => {} })
// Named with the run's prefix, so the run's teardown drops them even if this file dies first.
const prefix = `${runDatabasePrefix(inject("pgTemplate"))}${randomBytes(4).toString("hex")}`
const names = { legacy: `${prefix}_legacy`, baseline: `${prefix}_baseline`, partial: `${prefix}_partial` }
const url = (name: string) => withDatabase(inject("pgAdminUrl"), name)
const connections: Array<postgres.Sql> = []
const connect = (name: string) => {
  const sql = postgres(url(name), { max: 1, onnotice: () => {} })
  connections.push(sql)
  return sql
}

let legacyFiles: ReadonlyArray<MigrationFile>
let baselineFiles: ReadonlyArray<MigrationFile>

beforeAll(async () => {
  legacyFiles = await migrationFiles(fromRoot("test", "fixtures", "legacy-migrations"))
  baselineFiles = (await migrationFiles()).filter((f) => f.version <= BASELINE_LAST_VERSION)
  for (const name of Object.values(names)) await admin.unsafe(`create database ${name}`)
  await Promise.all([
    migrate(url(names.legacy), { files: legacyFiles }),
    migrate(url(names.baseline), { files: baselineFiles })
  ])
})

afterAll(async () => {
  await Promise.all(connections.map((sql) => sql.end({ timeout: 5 })))
  for (const name of Object.values(names)) await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.end()
})

describe("the baseline", () => {
  it("is the schema the old chain produced", async () => {
    const [legacy, baseline] = await Promise.all([
      schemaSnapshot(connect(names.legacy)),
      schemaSnapshot(connect(names.baseline))
    ])
    expect(baseline).toBe(legacy)
    // Guards against a comparison that proves nothing (a query that matched nothing on both sides).
    const lines = baseline.split("\n")
    for (const kind of ["relation", "column", "index", "constraint", "function", "trigger", "role", "rows"])
      expect(
        lines.some((l) => l.startsWith(`${kind} public.`) || l.startsWith(`${kind} s2s_`)),
        kind
      ).toBe(true)
    for (const start of [
      "function public.s2s_append(appends jsonb, jobs json) ",
      "relation public.dispatch_leases kind=r persistence=u "
    ])
      expect(
        lines.some((l) => l.startsWith(start)),
        start
      ).toBe(true)
  })

  it("lists the old chain's files by name and checksum, as the migrator recognises them", () => {
    expect(legacyFiles.map((f) => [f.name, f.checksum])).toEqual(legacyChain)
    expect(legacyChain.map(([name]) => name)).toContain("0054_console_webhook_problems.sql")
  })
})

describe("a database migrated by the old chain", () => {
  it("is recognised: its records become the baseline's, its schema stays, later files apply", async () => {
    const before = await schemaSnapshot(connect(names.legacy))
    const notes: Array<string> = []
    const applied = await migrate(url(names.legacy), { onLegacy: (note) => notes.push(note) })
    const later = (await migrationFiles()).filter((f) => f.version > BASELINE_LAST_VERSION).map((f) => f.name)
    expect(applied).toEqual(later)
    expect(notes).toEqual([expect.stringContaining("squashed into the baseline")])

    const sql = connect(names.legacy)
    const records = await sql<Array<{ name: string; checksum: string }>>`
      select name, checksum from schema_migrations order by version`
    const bundled = await migrationFiles()
    expect(records).toEqual(bundled.map((f) => ({ name: f.name, checksum: f.checksum })))
    if (later.length === 0) expect(await schemaSnapshot(sql)).toBe(before)
    expect(await migrate(url(names.legacy))).toEqual([])
  })

  it("is refused with a clear error when it applied only part of the old chain", async () => {
    await migrate(url(names.partial), { files: legacyFiles.slice(0, 12) })
    await expect(migrate(url(names.partial))).rejects.toThrow(
      /migrated by part of the migration chain that sql\/0001-0009 replaced \(up to 0012_job_counts\.sql\)/
    )
    const sql = connect(names.partial)
    const [row] = await sql<Array<{ n: number }>>`select count(*)::int as n from schema_migrations`
    expect(row?.n).toBe(12)
  })
})
