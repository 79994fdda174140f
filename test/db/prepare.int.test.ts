// DB_PREPARE=false (a pooler in transaction mode): postgres.js prepares no named statement, so the
// server's session holds none after queries that would otherwise be prepared; the default prepares.
import { describe, expect, it } from "vitest"
import { makeSql, preparedStatements } from "../../src/db/sql.js"
import { onCleanup } from "../support/cleanup.js"
import { freshDatabase } from "../support/db.js"

const preparedAfterQueries = async (url: string) => {
  const sql = makeSql(url, { max: 1, role: null })
  onCleanup(() => sql.end({ timeout: 5 }))
  for (const n of [1, 2, 3]) await sql`select ${n}::int as n`
  const [row] = await sql<Array<{ count: number }>>`select count(*)::int as count from pg_prepared_statements`
  return row!.count
}

describe("DB_PREPARE", () => {
  it("reads true and false the way the configuration check does, and refuses anything else", () => {
    expect(preparedStatements({})).toBe(true)
    expect(preparedStatements({ DB_PREPARE: "on" })).toBe(true)
    expect(preparedStatements({ DB_PREPARE: "false" })).toBe(false)
    expect(preparedStatements({ DB_PREPARE: "0" })).toBe(false)
    expect(() => preparedStatements({ DB_PREPARE: "maybe" })).toThrow(/DB_PREPARE must be true or false/)
  })

  it("prepares statements by default and none with DB_PREPARE=false", async () => {
    const url = await freshDatabase()
    expect(await preparedAfterQueries(url)).toBeGreaterThan(0)
    const before = process.env.DB_PREPARE
    process.env.DB_PREPARE = "false"
    try {
      expect(await preparedAfterQueries(url)).toBe(0)
    } finally {
      if (before === undefined) delete process.env.DB_PREPARE
      else process.env.DB_PREPARE = before
    }
  })
})
