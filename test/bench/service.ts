// The service under test as a separate process (`node bin/s2s.js serve`), so the load generator
// never shares its event loop: a temp s2s.yaml, a free port, the bench database, LOG_LEVEL=warning.
// Ready once GET /readyz answers 200; stopped with SIGTERM (graceful), SIGKILL after 30 s.
// It runs with no Node flags: the performance brief measures memory without a heap flag (memory is
// bounded by the service's in-flight limits, not by V8's). BENCH_SERVICE_NODE_ARGS sets flags: the
// Docker image's own with BENCH_SERVICE_NODE_ARGS=image (its NODE_OPTIONS, the heap cap), a CPU
// profile with "--cpu-prof --cpu-prof-dir=prof". BENCH_SERVICE_LOG_LEVEL sets another log level (its
// output is shown when it fails; BENCH_SERVICE_OUTPUT=file appends all of it to a file, e.g. with
// BENCH_SERVICE_NODE_ARGS=--trace-gc to see the live heap after each collection).
// BENCH_SERVICE_MEMORY=file appends the service's process.memoryUsage() (MB: rss, heapTotal,
// heapUsed, external, arrayBuffers) and its anonymous memory every 100 ms to that file, one JSON line
// each, from a script preloaded with --require (not a heap flag): where memory outside the heap goes.
import { type ChildProcess, spawn } from "node:child_process"
import { createWriteStream, readFileSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { freePort } from "../../src/db/embedded.js"
import { cleanups, rssMb, sleep } from "./support.js"

const BIN = fileURLToPath(new URL("../../bin/s2s.js", import.meta.url))
const DOCKERFILE = fileURLToPath(new URL("../../Dockerfile", import.meta.url))

/** The Node flags of the runtime image: NODE_OPTIONS=... in the Dockerfile's ENV line. */
export const imageNodeArgs = (): ReadonlyArray<string> => {
  const value = /\bNODE_OPTIONS=("[^"]*"|\S+)/.exec(readFileSync(DOCKERFILE, "utf8"))?.[1]
  if (value === undefined)
    throw new Error("the Dockerfile sets no NODE_OPTIONS; the bench runs the service as the image does")
  return value.replace(/^"|"$/g, "").split(" ").filter(Boolean)
}

/** The service's Node flags from BENCH_SERVICE_NODE_ARGS: none by default, "image" for the Dockerfile's. */
export const serviceNodeArgs = (fromEnv: string | undefined): ReadonlyArray<string> =>
  fromEnv === undefined ? [] : fromEnv.trim() === "image" ? imageNodeArgs() : fromEnv.split(" ").filter(Boolean)

export interface ServiceOptions {
  readonly databaseUrl: string
  /** The s2s.yaml text. */
  readonly config: string
  readonly apiOnly?: boolean
  /** `serve --worker-only`: no API; /readyz and /metrics answer on METRICS_PORT (the port given here). */
  readonly workerOnly?: boolean
  /** Extra environment (secrets, channel URLs); the bench's own environment is inherited. */
  readonly env?: Readonly<Record<string, string>>
  /** Node flags for the service (default: serviceNodeArgs(BENCH_SERVICE_NODE_ARGS)). */
  readonly nodeArgs?: ReadonlyArray<string>
}

export interface RunningService {
  readonly baseUrl: string
  readonly pid: number
  readonly rssMb: () => number | undefined
  /** The last lines the service wrote (warnings, errors). */
  readonly output: () => string
  readonly stop: () => Promise<void>
}

/** The preloaded sampler behind BENCH_SERVICE_MEMORY (CommonJS, so --require takes it as is). */
const memorySampler = async (dir: string, out: string) => {
  const file = path.join(dir, "memory-sampler.cjs")
  await fs.writeFile(
    file,
    `const fs = require("node:fs")
const mb = (n) => Math.round(n / 104857.6) / 10
const anon = () => { try { return Number(/^Anonymous:\\s+(\\d+) kB/m.exec(fs.readFileSync("/proc/self/smaps_rollup", "utf8"))?.[1] ?? 0) / 1024 } catch { return 0 } }
const t0 = Date.now()
setInterval(() => {
  const m = process.memoryUsage()
  fs.appendFileSync(${JSON.stringify(out)}, JSON.stringify({ pid: process.pid, t: Date.now() - t0, rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), anonymous: Math.round(anon()) }) + "\\n")
}, 100).unref()
`
  )
  return file
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once("exit", () => resolve())
  })

/**
 * Starts the service; bin/s2s.js rebuilds dist/ from src/ when it is stale, and a build can fail while
 * someone is mid-edit in a shared checkout, so a failed start is retried a few times.
 */
export const startService = async (options: ServiceOptions): Promise<RunningService> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options)
    } catch (error) {
      if (attempt >= 4 || !/Build failed|Could not resolve|ERROR/.test(String(error))) throw error
      console.log(`  (the service did not build, retrying in 5 s: ${String(error).split("\n")[1] ?? ""})`)
      await sleep(5_000)
    }
  }
}

const startOnce = async (options: ServiceOptions): Promise<RunningService> => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "s2s-bench-service-"))
  const file = path.join(dir, "s2s.yaml")
  await fs.writeFile(file, options.config)
  const port = await freePort()
  const fromEnv = process.env.BENCH_SERVICE_NODE_ARGS
  const memoryFile = process.env.BENCH_SERVICE_MEMORY
  const sampler = memoryFile === undefined ? [] : ["--require", await memorySampler(dir, memoryFile)]
  const nodeArgs = [...sampler, ...(options.nodeArgs ?? serviceNodeArgs(fromEnv))]
  const mode = options.apiOnly ? ["--api-only"] : options.workerOnly ? ["--worker-only"] : []
  const args = [...nodeArgs, BIN, "serve", ...mode, "--config", file]
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      ...options.env,
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      ...(options.workerOnly ? { METRICS_PORT: String(port) } : {}),
      HOST: "127.0.0.1",
      LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? "warning"
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  const copy = process.env.BENCH_SERVICE_OUTPUT
  const log = copy === undefined ? undefined : createWriteStream(copy, { flags: "a" })
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-32_000)
    log?.write(chunk)
  }
  child.stdout?.on("data", keep)
  child.stderr?.on("data", keep)
  const gone = exited(child)
  const baseUrl = `http://127.0.0.1:${port}`
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    cleanups.delete(stop)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM")
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
      await gone
      clearTimeout(timer)
    }
    log?.end()
    await fs.rm(dir, { recursive: true, force: true })
  }

  cleanups.add(stop)
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop()
      throw new Error(`the service exited before it was ready:\n${output}`)
    }
    const ready = await fetch(`${baseUrl}/readyz`)
      .then((r) => r.status === 200)
      .catch(() => false)
    if (ready) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`the service was not ready within 90 s:\n${output}`)
    }
    await sleep(100)
  }
  return {
    baseUrl,
    pid: child.pid!,
    rssMb: () => rssMb(child.pid!),
    output: () => output,
    stop
  }
}
