// Benchmark plumbing: a migrated database of its own (embedded PostgreSQL, or DATABASE_URL's server
// with a fresh database), timing helpers, and the report (a table on stdout, JSON in bench-results/).
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import postgres from "postgres"
import { startEmbedded } from "../../src/db/embedded.js"
import { migrate } from "../../src/db/Migrator.js"

export interface BenchDatabase {
  readonly url: string
  readonly adminUrl: string
  readonly stop: () => Promise<void>
}

const withDatabase = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

export const benchDatabase = async (): Promise<BenchDatabase> => {
  let adminUrl = process.env.DATABASE_URL
  let stopServer = async () => {}
  let tmp: string | undefined
  if (!adminUrl) {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "s2s-bench-"))
    const server = await startEmbedded({ dataDir: tmp, database: "postgres" })
    adminUrl = server.url
    stopServer = server.stop
  }
  const name = `s2s_bench_${randomBytes(4).toString("hex")}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  const url = withDatabase(adminUrl, name)
  await migrate(url)
  return {
    url,
    adminUrl,
    stop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => undefined)
      await admin.end({ timeout: 5 })
      await stopServer()
      if (tmp) await fs.rm(tmp, { recursive: true, force: true })
    }
  }
}

/** Runs `worker` on `concurrency` loops until `durationMs` passed; returns operations per second. */
export const throughput = async (
  concurrency: number,
  durationMs: number,
  worker: (loop: number, i: number) => Promise<number | undefined>
) => {
  const deadline = performance.now() + durationMs
  const started = performance.now()
  let ops = 0
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      for (let i = 0; performance.now() < deadline; i++) ops += (await worker(loop, i)) ?? 1
    })
  )
  return ops / ((performance.now() - started) / 1000)
}

export interface Row {
  readonly benchmark: string
  readonly case: string
  readonly value: number
  readonly unit: string
  readonly baseline?: number | undefined
  readonly ratio?: number | undefined
  readonly target?: string | undefined
}

export const rows: Array<Row> = []

export const record = (row: Row) => {
  rows.push(row)
  const ratio = row.ratio === undefined ? "" : `  (${row.ratio.toFixed(2)}x baseline ${fmt(row.baseline ?? 0)})`
  console.log(`  ${row.benchmark} ${row.case}: ${fmt(row.value)} ${row.unit}${ratio}`)
}

export const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en") : n.toFixed(2))

export const report = async () => {
  const headers = ["benchmark", "case", "value", "unit", "baseline", "ratio", "target"]
  const cells = rows.map((r) => [
    r.benchmark,
    r.case,
    fmt(r.value),
    r.unit,
    r.baseline === undefined ? "" : fmt(r.baseline),
    r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}x`,
    r.target ?? ""
  ])
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: ReadonlyArray<string>) => c.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd()
  console.log(`\n${line(headers)}\n${line(widths.map((w) => "-".repeat(w)))}\n${cells.map(line).join("\n")}`)
  await fs.mkdir("bench-results", { recursive: true })
  const file = path.join("bench-results", `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`)
  const machine = { node: process.version, cpus: os.cpus().length, platform: `${os.platform()} ${os.arch()}`, database: process.env.DATABASE_URL ? "DATABASE_URL" : "embedded PostgreSQL 18" }
  await fs.writeFile(file, JSON.stringify({ at: new Date().toISOString(), machine, rows }, null, 2))
  console.log(`\nresults written to ${file}`)
}
