// The migrator's connection holds the session advisory lock for the whole run, so postgres.js must
// never close it for being idle or old (it would reconnect without the lock). Migrations are keyed by
// their number, so two files with one number (two branches that each added the next one) are refused.
import { createRequire } from "node:module"
import { describe, expect, it } from "vitest"
import { makeSql } from "../../src/db/Db.js"
import { BASELINE_LAST_VERSION, migrationConnection, migrationFiles, WORKER_MIGRATION } from "../../src/db/Migrator.js"
import { fromRoot } from "../../src/lib/paths.js"

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

describe("migrationFiles", () => {
  it("refuses two files with one number", async () => {
    await expect(migrationFiles(fromRoot("test", "fixtures", "migrations-numbered-twice"))).rejects.toThrow(
      "two migrations are numbered 0001: renumber the newer one"
    )
  })

  it("reads sql/: the baseline first, one file per number", async () => {
    const files = await migrationFiles()
    expect(files.filter((f) => f.version <= BASELINE_LAST_VERSION).map((f) => f.version)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9
    ])
  })
})

describe("WORKER_MIGRATION", () => {
  it("is the last migration of the installed graphile-worker (a newer one must raise it)", () => {
    const { migrations } = createRequire(import.meta.url)("graphile-worker/dist/generated/sql.js") as {
      migrations: Record<string, string>
    }
    const last = Math.max(...Object.keys(migrations).map((name) => Number.parseInt(name, 10)))
    expect(WORKER_MIGRATION).toBe(last)
  })
})
