// Benchmark plumbing: a migrated database of its own (embedded PostgreSQL, or DATABASE_URL's server
// with a fresh database), further fresh databases on the same server for benchmarks that need a log
// of their own, timing helpers, CPU and memory probes (/proc), and the report (a table on stdout,
// JSON in bench-results/).
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import postgres from "postgres"
import { startEmbedded } from "../../src/db/embedded.js"
import { migrate } from "../../src/db/Migrator.js"

/** Command-line options; undefined means "the benchmark's default". */
export interface BenchOptions {
  /** Seconds per measured case (ingest, append), or the whole run (latency). */
  readonly seconds: number | undefined
  /** pipeline: orders sent. */
  readonly orders: number | undefined
  /** latency: orders per second. */
  readonly rate: number | undefined
  /** rebuild: events in the generated log. */
  readonly events: number | undefined
  /** soak: events through the pipeline. */
  readonly soakEvents: number | undefined
}

export interface BenchDatabase {
  readonly url: string
  readonly adminUrl: string
  /** The server's data directory when known (embedded), to find its processes. */
  readonly dataDir: string | undefined
  /** Another migrated database on the same server (dropped by stop); returns its URL. */
  readonly fresh: (label: string) => Promise<string>
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
  let dataDir: string | undefined
  if (!adminUrl) {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "s2s-bench-"))
    const server = await startEmbedded({ dataDir: tmp, database: "postgres" })
    adminUrl = server.url
    dataDir = server.dataDir
    stopServer = server.stop
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  const created: Array<string> = []
  const fresh = async (label: string) => {
    const name = `s2s_bench_${label.replace(/[^a-z0-9]/g, "")}_${randomBytes(4).toString("hex")}`
    await admin.unsafe(`create database ${name}`)
    created.push(name)
    const url = withDatabase(adminUrl, name)
    await migrate(url)
    return url
  }
  const url = await fresh("main")
  return {
    url,
    adminUrl,
    dataDir,
    fresh,
    stop: async () => {
      for (const name of created)
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
      for (let i = 0; performance.now() < deadline; i++) {
        // Not `ops += await ...`: that reads `ops` before the await and loses the other loops' counts.
        const n = (await worker(loop, i)) ?? 1
        ops += n
      }
    })
  )
  return ops / ((performance.now() - started) / 1000)
}

/** Stops for what is still running (service processes) when the run ends or is interrupted. */
export const cleanups = new Set<() => Promise<void>>()

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The q-quantile (0..1) of a sample, nearest rank; NaN for an empty sample. */
export const quantile = (sorted: ReadonlyArray<number>, q: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

export const sortedCopy = (values: ReadonlyArray<number>) => Float64Array.from(values).sort()

export const percentiles = (values: ReadonlyArray<number>) => {
  const sorted = Array.from(sortedCopy(values))
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN }
}

// ---------------------------------------------------------------------------------------------------
// CPU and memory of processes, from /proc (Linux). Elsewhere the probes report nothing.

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100
  } catch {
    return 100
  }
})()

interface ProcStat {
  readonly pid: number
  readonly ppid: number
  readonly comm: string
  /** Own user + system CPU seconds, and those of its reaped children. */
  readonly own: number
  readonly children: number
}

const readStat = (pid: number): ProcStat | undefined => {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8")
    const open = text.indexOf("(")
    const close = text.lastIndexOf(")")
    const fields = text.slice(close + 2).split(" ")
    // fields[0] is the state (field 3); utime is field 14, so fields[11].
    return {
      pid,
      ppid: Number(fields[1]),
      comm: text.slice(open + 1, close),
      own: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
      children: (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS
    }
  } catch {
    return undefined
  }
}

const allStats = (): Array<ProcStat> => {
  let entries: Array<string>
  try {
    entries = readdirSync("/proc")
  } catch {
    return []
  }
  return entries.flatMap((name) => (/^\d+$/.test(name) ? [readStat(Number(name))].filter((s) => s !== undefined) : []))
}

/** CPU seconds used so far by a process tree (live descendants plus everything it has reaped). */
export const treeCpuSeconds = (root: number, stats: ReadonlyArray<ProcStat> = allStats()) => {
  const byParent = new Map<number, Array<ProcStat>>()
  for (const s of stats) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s])
  const top = stats.find((s) => s.pid === root)
  if (top === undefined) return undefined
  let total = top.own + top.children
  const queue = [...(byParent.get(root) ?? [])]
  while (queue.length > 0) {
    const s = queue.pop()!
    total += s.own + s.children
    queue.push(...(byParent.get(s.pid) ?? []))
  }
  return total
}

/** Resident set size of a process in MB, or undefined. */
export const rssMb = (pid: number): number | undefined => {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return match ? Number(match[1]) / 1024 : undefined
  } catch {
    return undefined
  }
}

/** The postmaster's pid: from the data directory's postmaster.pid (embedded, or readable via data_directory). */
export const postmasterPid = async (db: BenchDatabase): Promise<number | undefined> => {
  let dir = db.dataDir
  if (dir === undefined) {
    const sql = postgres(db.adminUrl, { max: 1, onnotice: () => {} })
    try {
      const rows = await sql<Array<{ setting: string }>>`select setting from pg_settings where name = 'data_directory'`
      dir = rows[0]?.setting
    } catch {
      dir = undefined
    } finally {
      await sql.end({ timeout: 5 })
    }
  }
  if (dir === undefined) return undefined
  try {
    const pid = Number.parseInt(readFileSync(path.join(dir, "postmaster.pid"), "utf8").split("\n")[0] ?? "", 10)
    return Number.isFinite(pid) && readStat(pid) !== undefined ? pid : undefined
  } catch {
    return undefined
  }
}

export interface CpuGroups {
  readonly service?: number | undefined
  readonly postgres?: number | undefined
}

export interface CpuSample {
  readonly at: number
  readonly service: number | undefined
  readonly postgres: number | undefined
  /** This process: the load generator and the fake destinations. */
  readonly bench: number
}

export const cpuSample = (groups: CpuGroups): CpuSample => {
  const stats = allStats()
  const usage = process.cpuUsage()
  return {
    at: performance.now(),
    service: groups.service === undefined ? undefined : treeCpuSeconds(groups.service, stats),
    postgres: groups.postgres === undefined ? undefined : treeCpuSeconds(groups.postgres, stats),
    bench: (usage.user + usage.system) / 1e6
  }
}

/** CPU use between two samples, in percent of one core (200% = both cores of a 2-core machine). */
export const cpuPercent = (from: CpuSample, to: CpuSample) => {
  const wall = (to.at - from.at) / 1000
  const pct = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || wall <= 0 ? undefined : ((b - a) / wall) * 100
  return {
    service: pct(from.service, to.service),
    postgres: pct(from.postgres, to.postgres),
    bench: pct(from.bench, to.bench)
  }
}

export const fmtPct = (n: number | undefined) => (n === undefined ? "?" : `${Math.round(n)}%`)

export const describeCpu = (p: ReturnType<typeof cpuPercent>) =>
  `service ${fmtPct(p.service)}, postgres ${fmtPct(p.postgres)}, load generator ${fmtPct(p.bench)} (of one core; ${os.cpus().length} cores)`

// ---------------------------------------------------------------------------------------------------
// The report.

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
const notes: Array<{ benchmark: string; text: string }> = []
const details: Record<string, unknown> = {}
const loadAverages: Array<{ at: string; label: string; load: ReadonlyArray<number> }> = []

export const record = (row: Row) => {
  rows.push(row)
  const ratio = row.ratio === undefined ? "" : `  (${row.ratio.toFixed(2)}x baseline ${fmt(row.baseline ?? 0)})`
  console.log(`  ${row.benchmark} ${row.case}: ${fmt(row.value)} ${row.unit}${ratio}`)
}

/** A line printed under the table and kept in the JSON (what limited a figure, how it was measured). */
export const note = (benchmark: string, text: string) => {
  notes.push({ benchmark, text })
  console.log(`  ${benchmark}: ${text}`)
}

/** Raw data kept in the JSON only (timelines, samples). */
export const detail = (key: string, value: unknown) => {
  details[key] = value
}

export const markLoad = (label: string) => {
  const load = os.loadavg().map((n) => Math.round(n * 100) / 100)
  loadAverages.push({ at: new Date().toISOString(), label, load })
  console.log(`  [load average ${load.join(" ")} ${label}]`)
}

export const fmt = (n: number) =>
  Number.isNaN(n) ? "n/a" : Math.abs(n) >= 100 ? Math.round(n).toLocaleString("en") : n.toFixed(2)

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
  const line = (c: ReadonlyArray<string>) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd()
  console.log(`\n${line(headers)}\n${line(widths.map((w) => "-".repeat(w)))}\n${cells.map(line).join("\n")}`)
  if (notes.length > 0) console.log(`\n${notes.map((n) => `- ${n.benchmark}: ${n.text}`).join("\n")}`)
  if (loadAverages.length > 0)
    console.log(`\nload average (1/5/15 min): ${loadAverages.map((l) => `${l.label} ${l.load.join(" ")}`).join("; ")}`)
  await fs.mkdir("bench-results", { recursive: true })
  const file = path.join("bench-results", `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`)
  const git = (args: ReadonlyArray<string>) => {
    try {
      return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()
    } catch {
      return undefined
    }
  }
  const machine = {
    commit: git(["rev-parse", "--short", "HEAD"]),
    uncommittedFiles: git(["status", "--porcelain"])?.split("\n").filter(Boolean).length,
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.arch()}`,
    database: process.env.DATABASE_URL ? "DATABASE_URL" : "embedded PostgreSQL 18"
  }
  await fs.writeFile(
    file,
    JSON.stringify({ at: new Date().toISOString(), machine, loadAverages, rows, notes, details }, null, 2)
  )
  console.log(`\nresults written to ${file}`)
}

/** Samples a process's RSS every `everyMs` until stopped; `stop()` returns the peak in MB. */
export const rssPeak = (pid: number, everyMs = 100) => {
  let peak = rssMb(pid) ?? 0
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid) ?? 0)
  }, everyMs)
  return {
    peak: () => peak,
    stop: () => {
      clearInterval(timer)
      return Math.max(peak, rssMb(pid) ?? 0)
    }
  }
}
