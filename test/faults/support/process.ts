// The service as a real child process (`node bin/s2s.js serve ...`), as an operator runs it: a temp
// s2s.yaml, a fixed port, JSON logs at info level captured line by line. It can be killed with any
// signal (SIGKILL: no graceful anything, its jobs stay locked) and started again on the same port
// and database. `unexpected()` lists what must never appear in its output whatever the fault: an
// uncaught exception or unhandled rejection (Node prints them without our logger), a Node warning
// (MaxListenersExceededWarning), a fatal log line, or an exit nobody asked for.
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { freePort } from "../../../src/db/embedded.js"
import { waitUntil } from "../../support/wait.js"

const ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const BIN = path.join(ROOT, "bin", "s2s.js")

export interface LogLine {
  readonly at: number
  readonly text: string
  /** The parsed JSON log line (Effect's JSON logger), when it is one. */
  readonly json: { readonly logLevel?: string; readonly message?: unknown; readonly [key: string]: unknown } | undefined
}

export interface ServiceProcess {
  readonly baseUrl: string
  readonly pid: () => number | undefined
  readonly alive: () => boolean
  /** Every line this service's processes wrote (all of its runs), in order. */
  readonly lines: ReadonlyArray<LogLine>
  /** Lines that must never appear (see the header), with how each run ended when nobody stopped it. */
  readonly unexpected: () => ReadonlyArray<string>
  /** GET /readyz's status (0 when nothing answers). */
  readonly readyz: () => Promise<number>
  readonly waitReady: (timeoutMs?: number) => Promise<void>
  readonly kill: (signal: NodeJS.Signals) => Promise<void>
  /** Starts the process again (after a kill) with the same port, config and environment. */
  readonly restart: () => Promise<void>
  /** SIGTERM and wait (SIGKILL after 30 s); removes the temp config. */
  readonly stop: () => Promise<void>
}

export interface ServiceOptions {
  readonly databaseUrl: string
  readonly config: string
  readonly env?: Readonly<Record<string, string>>
  readonly args?: ReadonlyArray<string>
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once("exit", () => resolve())
  })

const parseLine = (text: string): LogLine["json"] => {
  if (!text.startsWith("{")) return undefined
  try {
    return JSON.parse(text) as LogLine["json"]
  } catch {
    return undefined
  }
}

// graphile-worker reports the retries of its batched job completion on stderr itself (console.error):
// expected while the database is away, and followed by a success or a logged fatal error.
const WORKER_RETRY = /^(completeJobs|failJobs): attempt \d+\/\d+ failed/

/**
 * Output that is never acceptable: anything not written by our logger (Node's crash reports, stack
 * traces and warnings such as MaxListenersExceededWarning), and fatal log lines.
 */
export const isUnexpected = (line: LogLine) =>
  line.json === undefined ? !WORKER_RETRY.test(line.text) : line.json.logLevel === "FATAL"

export const spawnService = async (options: ServiceOptions): Promise<ServiceProcess> => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "s2s-faults-service-"))
  const file = path.join(dir, "s2s.yaml")
  await fs.writeFile(file, options.config)
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const lines: Array<LogLine> = []
  const endings: Array<string> = []
  let child: ChildProcess | undefined
  let expectingExit = false

  const launch = () => {
    expectingExit = false
    const proc = spawn(process.execPath, [BIN, ...(options.args ?? ["serve"]), "--config", file], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_OPTIONS: "",
        LOG_FORMAT: "json",
        LOG_LEVEL: "info",
        HOST: "127.0.0.1",
        PORT: String(port),
        DATABASE_URL: options.databaseUrl,
        ...options.env
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let partial = ""
    const collect = (chunk: Buffer) => {
      const text = partial + chunk.toString("utf8")
      const parts = text.split("\n")
      partial = parts.pop() ?? ""
      for (const part of parts)
        if (part.trim() !== "") lines.push({ at: Date.now(), text: part, json: parseLine(part) })
    }
    proc.stdout?.on("data", collect)
    proc.stderr?.on("data", collect)
    proc.once("exit", (code, signal) => {
      if (!expectingExit) endings.push(`the service exited on its own (code ${code}, signal ${signal})`)
    })
    child = proc
  }

  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null
  const readyz = () =>
    fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) })
      .then((r) => r.status)
      .catch(() => 0)
  const waitReady = async (timeoutMs = 60_000) => {
    await waitUntil(
      "the service ready",
      async () => {
        if (!alive()) throw new Error(`the service exited before it was ready:\n${tail()}`)
        return (await readyz()) === 200
      },
      timeoutMs,
      tail
    )
  }
  const tail = () =>
    lines
      .slice(-40)
      .map((l) => l.text)
      .join("\n")
  const kill = async (signal: NodeJS.Signals) => {
    if (!alive() || child === undefined) return
    expectingExit = true
    const gone = exited(child)
    child.kill(signal)
    await gone
  }
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    if (alive() && child !== undefined) {
      const timer = setTimeout(() => child?.kill("SIGKILL"), 30_000)
      await kill("SIGTERM")
      clearTimeout(timer)
    }
    await fs.rm(dir, { recursive: true, force: true })
  }

  launch()
  await waitReady()
  return {
    baseUrl,
    pid: () => child?.pid,
    alive,
    lines,
    unexpected: () => [...lines.filter(isUnexpected).map((l) => l.text), ...endings],
    readyz,
    waitReady,
    kill,
    restart: async () => {
      if (alive()) throw new Error("restart: the service is still running")
      launch()
      await waitReady()
    },
    stop
  }
}
