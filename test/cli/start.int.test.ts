// `npm start` on a fresh checkout: no DATABASE_URL, so the embedded PostgreSQL starts under the data
// directory, migrations run, the bundled demo configuration is applied, and /readyz answers. Then it
// must let go, whoever stops it: Ctrl-C in a terminal (the whole process group gets SIGINT), or a
// process manager or `kill` signalling npm alone (SIGTERM or SIGINT to npm's pid): the node server
// and the embedded PostgreSQL stop with it, the port and the data directory are free again.
import { execFile, spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { afterAll, describe, expect, it } from "vitest"
import { freePort } from "../../src/db/embedded.js"
import { fromRoot } from "../../src/lib/paths.js"
import { eventually, waitUntil } from "../support/wait.js"

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false
  )

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

const until = (condition: () => Promise<boolean> | boolean, ms: number) =>
  waitUntil("condition", condition, ms).then(
    () => true,
    () => false
  )

/** Every process below `pid` (npm -> the start script's process -> ...). */
const descendantsOf = async (pid: number): Promise<Array<number>> => {
  const { stdout } = await promisify(execFile)("ps", ["-o", "pid=", "--ppid", String(pid)]).catch(() => ({
    stdout: ""
  }))
  const children = stdout
    .split("\n")
    .map((l) => Number.parseInt(l.trim(), 10))
    .filter((n) => Number.isFinite(n))
  return [...children, ...(await Promise.all(children.map(descendantsOf))).flat()]
}

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "s2s-start-"))
const started: Array<number> = []
afterAll(async () => {
  // A failed run may leave a server behind: stop it (it stops its PostgreSQL) before removing the data.
  for (const pid of started.filter(alive)) process.kill(pid, "SIGTERM")
  await until(() => started.every((pid) => !alive(pid)), 30_000)
  await fs.rm(dataDir, { recursive: true, force: true })
})

const start = async () => {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    S2S_DATA_DIR: dataDir,
    LOG_FORMAT: "json",
    // The checkout may hold an s2s.yaml of its own: this is about the bundled demo configuration.
    S2S_CONFIG: fromRoot("examples", "s2s.yaml")
  }
  delete env.DATABASE_URL
  const child = spawn("npm", ["start", "--silent"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true })
  let output = ""
  child.stdout.on("data", (d: Buffer) => (output += d.toString()))
  child.stderr.on("data", (d: Buffer) => (output += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const ready = await eventually(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined)
    return res?.status === 200 ? ((await res.json()) as { status: string }) : undefined
  }, 60_000).catch(() => undefined)
  return { child, port, exited, ready, output: () => output }
}

/** After npm is gone: no server left (not even reparented), the port closed, PostgreSQL stopped. */
const expectLetGo = async (port: number, server: ReadonlyArray<number>, output: string) => {
  for (const pid of server) expect(await until(() => !alive(pid), 30_000), `server ${pid} still runs`).toBe(true)
  expect(await listening(port)).toBe(false)
  const postmaster = path.join(dataDir, "pg", "postmaster.pid")
  expect(await until(async () => !(await exists(postmaster)), 30_000), output).toBe(true)
  expect(output).toContain("worker stopped")
}

describe("npm start", () => {
  it("starts the service on an embedded PostgreSQL and reaches /readyz, then stops cleanly on Ctrl-C", async () => {
    const { child, port, exited, ready, output } = await start()
    try {
      // `serve` runs the worker too: /readyz reports its pool.
      expect(ready, output()).toEqual({
        status: "ready",
        database: "ok",
        migrations: "current",
        worker: expect.objectContaining({ state: "running", pool: expect.stringMatching(/^pool-/) })
      })
      expect(await fs.readFile(path.join(dataDir, "pg", "PG_VERSION"), "utf8")).toMatch(/^\d+/)
      expect(output()).toContain("examples/s2s.yaml")
    } finally {
      const server = await descendantsOf(child.pid!)
      started.push(...server)
      // Like Ctrl-C in a terminal: the whole process group gets the signal.
      process.kill(-child.pid!, "SIGINT")
      await exited
      await expectLetGo(port, server, output())
    }
  }, 120_000)

  for (const signal of ["SIGTERM", "SIGINT"] as const)
    it(`stops the server and the embedded PostgreSQL when only npm gets ${signal}`, async () => {
      const { child, port, exited, ready, output } = await start()
      expect(ready, output()).toMatchObject({ status: "ready" })
      // npm's child is the node server itself (the start script execs it): npm forwards the signal.
      const server = await descendantsOf(child.pid!)
      started.push(...server)
      expect(server.length, "npm start has a child process").toBeGreaterThan(0)
      process.kill(child.pid!, signal)
      await exited
      await expectLetGo(port, server, output())
    }, 120_000)
})
