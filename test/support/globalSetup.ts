// One PostgreSQL per test run: the embedded server in a temporary directory, or the server named by
// DATABASE_URL. Migrations run once into a template database; each test file clones it.
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import postgres from "postgres"
import type { TestProject } from "vitest/node"
import { startEmbedded } from "../../src/db/embedded.js"
import { migrate } from "../../src/db/Migrator.js"
import { runDatabasePrefix } from "./runPrefix.js"

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string
    pgTemplate: string
  }
}

const withDatabase = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

export default async function setup(project: TestProject) {
  let stop = async () => {}
  let adminUrl = process.env.DATABASE_URL
  let tmp: string | undefined
  if (!adminUrl) {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "s2s-test-"))
    const server = await startEmbedded({ dataDir: tmp, database: "postgres" })
    adminUrl = server.url
    stop = server.stop
  }
  const template = `s2s_template_${process.pid}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  if (tmp) {
    // Our own throwaway cluster: durability against an operating system crash buys nothing here, and
    // every commit's fsync costs the suite (a process crash loses nothing without them either).
    for (const setting of ["fsync", "synchronous_commit", "full_page_writes"])
      await admin.unsafe(`alter system set ${setting} = off`)
    await admin`select pg_reload_conf()`
  }
  await admin.unsafe(`drop database if exists ${template} with (force)`)
  await admin.unsafe(`create database ${template}`)
  await migrate(withDatabase(adminUrl, template))
  project.provide("pgAdminUrl", adminUrl)
  project.provide("pgTemplate", template)
  return async () => {
    // On a shared server (DATABASE_URL), every file's database (db.ts freshDatabase), by this run's
    // prefix: another run on the same server keeps its own. "_" is a LIKE wildcard, so the prefix is
    // matched literally with left(). Our own cluster goes as a whole (each DROP DATABASE would force
    // a checkpoint first).
    if (!tmp) {
      const prefix = runDatabasePrefix(template)
      const leftovers = await admin<Array<{ datname: string }>>`
        select datname from pg_database where left(datname, ${prefix.length}) = ${prefix}`.catch(() => [])
      for (const { datname } of leftovers)
        await admin.unsafe(`drop database if exists "${datname}" with (force)`).catch(() => undefined)
      await admin.unsafe(`drop database if exists ${template} with (force)`).catch(() => undefined)
    }
    await admin.end({ timeout: 5 })
    await stop()
    if (tmp) await fs.rm(tmp, { recursive: true, force: true })
  }
}
