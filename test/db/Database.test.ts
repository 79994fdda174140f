// Where the database is: production never falls back to the embedded PostgreSQL by accident.
import { Cause, ConfigProvider, Effect, Exit, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { Database, DatabaseLive } from "../../src/db/Database.js"

// A data directory that cannot be created: were the embedded server tried, it would fail at once.
const NOWHERE = { S2S_DATA_DIR: "/proc/s2s-nowhere" }

const locate = (env: Record<string, string>) =>
  Effect.runPromiseExit(
    Effect.scoped(
      Layer.build(DatabaseLive).pipe(
        Effect.map((context) => context.unsafeMap.get(Database.key) as { url: string; embedded: boolean })
      )
    ).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ ...NOWHERE, ...env })))))
  )

describe("DatabaseLive", () => {
  it("refuses to start an embedded PostgreSQL in production without DATABASE_URL, naming it", async () => {
    for (const env of [{ NODE_ENV: "production" }, { NODE_ENV: "production", DATABASE_URL: "" }]) {
      const exit = await locate(env)
      expect(Exit.isFailure(exit)).toBe(true)
      const message = Exit.isFailure(exit) ? String(Cause.squash(exit.cause)) : ""
      expect(message).toMatch(/DATABASE_URL is not set and NODE_ENV is production/)
      expect(message).toMatch(/S2S_EMBEDDED_DB=1/)
    }
  })

  it("uses DATABASE_URL in production", async () => {
    const url = "postgres://app@db.internal:5432/s2s"
    const exit = await locate({ NODE_ENV: "production", DATABASE_URL: url })
    expect(exit).toEqual(Exit.succeed({ url, ownerUrl: url, embedded: false }))
    const owner = "postgres://owner@db.internal:5432/s2s"
    const split = await locate({ NODE_ENV: "production", DATABASE_URL: url, MIGRATION_DATABASE_URL: owner })
    expect(split).toEqual(Exit.succeed({ url, ownerUrl: owner, embedded: false }))
  })
})
