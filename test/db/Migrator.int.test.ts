import { randomBytes } from "node:crypto"
import postgres from "postgres"
import { afterAll, describe, expect, inject, it } from "vitest"
import { LOCK_KEY, migrate, migrationFiles } from "../../src/db/Migrator.js"
import { withDatabase } from "../support/db.js"
import { lockAwaited } from "../support/wait.js"

const admin = postgres(inject("pgAdminUrl"), { max: 1, onnotice: () => {} })
const name = `s2s_migrate_${randomBytes(4).toString("hex")}`
afterAll(async () => {
  await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.end()
})

describe("migrations", () => {
  it("run from two processes at once without error, each file applied once", async () => {
    await admin.unsafe(`create database ${name}`)
    const url = withDatabase(inject("pgAdminUrl"), name)
    const [a, b] = await Promise.all([migrate(url), migrate(url)])
    const files = (await migrationFiles()).map((f) => f.name)
    expect([...a, ...b].sort()).toEqual(files.sort())
    expect(await migrate(url)).toEqual([])
    const sql = postgres(url, { max: 1, onnotice: () => {} })
    const rows = await sql`select name from schema_migrations order by version`
    await sql.end()
    expect(rows.map((r) => r.name)).toEqual(files)
  })

  // Every command runs the migrator: an up-to-date database is read, not locked, so a command is not
  // held up by a migrator that works elsewhere; one with a file missing still waits for the lock.
  it("returns at once on an up-to-date database even while another session holds the lock", async () => {
    const url = withDatabase(inject("pgAdminUrl"), name)
    const holder = postgres(url, { max: 1, onnotice: () => {} })
    try {
      await holder`select pg_advisory_lock(${LOCK_KEY})`
      expect(await migrate(url)).toEqual([])
      const files = await migrationFiles()
      const extra = { version: 9999, name: "9999_extra.sql", text: "create table extra_table (id int)", checksum: "x" }
      let applied: ReadonlyArray<string> | undefined
      const pending = migrate(url, { files: [...files, extra] }).then((names) => (applied = names))
      await lockAwaited(holder)
      expect(applied).toBeUndefined()
      await holder`select pg_advisory_unlock(${LOCK_KEY})`
      expect(await pending).toEqual(["9999_extra.sql"])
    } finally {
      await holder.end()
    }
  })
})
