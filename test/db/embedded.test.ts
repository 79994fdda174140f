// As root, the embedded server runs as the `postgres` system user: a data directory that user cannot
// enter is refused up front, naming the directory and the ways out, instead of a bare EACCES from initdb.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { checkServerUserAccess, startEmbedded } from "../../src/db/embedded.js"
import { tempDir } from "../support/tmp.js"

const isRoot = process.getuid?.() === 0
const hasPostgresUser = (() => {
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

describe.skipIf(!isRoot || !hasPostgresUser)("the embedded server as root", () => {
  it("refuses a data directory the postgres user cannot reach, and says why", async () => {
    const locked = tempDir("locked")
    await fs.chmod(locked, 0o700)
    const dataDir = path.join(locked, ".s2s")
    await fs.mkdir(dataDir)
    await fs.chmod(dataDir, 0o755)
    await expect(startEmbedded({ dataDir })).rejects.toThrow(
      `the embedded PostgreSQL runs as the "postgres" system user when s2s runs as root, and that user cannot reach ${dataDir}: give the directories above it search permission (chmod o+x)`
    )
    // Nothing was initialised there.
    expect(await fs.readdir(dataDir)).toEqual([])
  })

  it("accepts one it can reach", async () => {
    const open = tempDir("open")
    await fs.chmod(open, 0o755)
    await expect(checkServerUserAccess(open)).resolves.toBeUndefined()
  })
})
