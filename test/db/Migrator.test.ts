// The migrator's connection holds the session advisory lock for the whole run, so postgres.js must
// never close it for being idle or old (it would reconnect without the lock).
import { describe, expect, it } from "vitest"
import { makeSql } from "../../src/db/Db.js"
import { migrationConnection } from "../../src/db/Migrator.js"

describe("migrationConnection", () => {
  it("is one owner connection that is never recycled, unlike the app pool", async () => {
    const url = "postgres://owner@127.0.0.1:1/s2s"
    const sql = migrationConnection(url)
    expect(sql.options).toMatchObject({ max: 1, idle_timeout: 0, max_lifetime: 0 })
    expect((sql.options.connection as Record<string, unknown>).role).toBeUndefined()
    const pool = makeSql(url)
    expect(pool.options.idle_timeout).toBe(30)
    await Promise.all([sql.end(), pool.end()])
  })
})
