// A fresh, migrated database per test file, cloned from the run's template.
import { randomBytes } from "node:crypto"
import { Layer } from "effect"
import postgres from "postgres"
import { inject } from "vitest"
import { DatabaseFromUrl } from "../../src/db/Database.js"
import { DbLive, makeSql } from "../../src/db/Db.js"
import { EventStoreLive } from "../../src/events/EventStore.js"
import { onCleanup } from "./cleanup.js"
import { runDatabasePrefix } from "./runPrefix.js"

export const withDatabase = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/**
 * Creates a database for this test file, cloned from the run's migrated template. It outlives the
 * file (services and pools of the file may still hold connections when its hooks end) and is dropped
 * with all the run's others by the global teardown (globalSetup.ts), after every file has finished.
 */
export const freshDatabase = async (): Promise<string> => {
  const adminUrl = inject("pgAdminUrl")
  const name = `${runDatabasePrefix(inject("pgTemplate"))}${randomBytes(6).toString("hex")}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name} template ${inject("pgTemplate")}`)
  await admin.end()
  return withDatabase(adminUrl, name)
}

/** A postgres.js pool as the app role (what the service uses). */
export const appSql = (url: string, max = 10) => {
  const sql = makeSql(url, { max })
  onCleanup(() => sql.end({ timeout: 5 }))
  return sql
}

/** An owner connection (the migration role), for setup the app role may not do. */
export const ownerSql = (url: string, max = 2) => {
  const sql = makeSql(url, { max, role: null })
  onCleanup(() => sql.end({ timeout: 5 }))
  return sql
}

export const dbLayer = (url: string) => {
  const db = DbLive.pipe(Layer.provide(DatabaseFromUrl(url)))
  return Layer.provideMerge(EventStoreLive, Layer.merge(db, DatabaseFromUrl(url)))
}
