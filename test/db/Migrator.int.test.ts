import { randomBytes } from "node:crypto"
import postgres from "postgres"
import { afterAll, describe, expect, inject, it } from "vitest"
import { migrate, migrationFiles } from "../../src/db/Migrator.js"
import { withDatabase } from "../support/db.js"

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
})
