// `npm start` on a fresh checkout: no DATABASE_URL, so the embedded PostgreSQL starts under the data
// directory, migrations run, the bundled demo configuration is applied, and /readyz answers.
import { spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { freePort } from "../../src/db/embedded.js"

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false
  )

describe("npm start", () => {
  it("starts the service on an embedded PostgreSQL and reaches /readyz, then stops cleanly on SIGTERM", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "s2s-start-"))
    const port = await freePort()
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), S2S_DATA_DIR: dataDir, LOG_FORMAT: "json" }
    delete env.DATABASE_URL
    const child = spawn("npm", ["start", "--silent"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true })
    let output = ""
    child.stdout.on("data", (d: Buffer) => (output += d.toString()))
    child.stderr.on("data", (d: Buffer) => (output += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    try {
      let ready: { status: string } | undefined
      for (let i = 0; i < 240 && ready === undefined; i++) {
        await new Promise((r) => setTimeout(r, 250))
        const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined)
        if (res?.status === 200) ready = (await res.json()) as { status: string }
      }
      // `serve` runs the worker too: /readyz reports its pool.
      expect(ready, output).toEqual({
        status: "ready",
        database: "ok",
        migrations: "current",
        worker: expect.objectContaining({ state: "running", pool: expect.stringMatching(/^pool-/) })
      })
      expect(await fs.readFile(path.join(dataDir, "pg", "PG_VERSION"), "utf8")).toMatch(/^\d+/)
      expect(output).toContain("examples/s2s.yaml")
    } finally {
      // Like Ctrl-C in a terminal: the whole process group gets the signal.
      process.kill(-child.pid!, "SIGINT")
      await exited
      // The service shut down gracefully and stopped the PostgreSQL it started.
      for (let i = 0; i < 100 && (await exists(path.join(dataDir, "pg", "postmaster.pid"))); i++)
        await new Promise((r) => setTimeout(r, 100))
      expect(output).toContain("worker stopped")
      expect(await exists(path.join(dataDir, "pg", "postmaster.pid"))).toBe(false)
      await fs.rm(dataDir, { recursive: true, force: true })
    }
  }, 120_000)
})
