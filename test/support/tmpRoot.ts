// Global setup of every project: one temporary root per run. os.tmpdir() of the run (its test
// processes, the services and CLIs they spawn, the embedded PostgreSQL) points into it through TMPDIR,
// so a run never leaves a directory in the machine's temporary directory, and another run's entries
// (other checkouts test on the same machine) are never mistaken for ours. The last project to finish
// removes the root and fails the run if a test left something in it: tests clean up after themselves
// (test/support/tmp.ts).
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

interface RunRoot {
  readonly dir: string
  readonly previous: string | undefined
  users: number
}

// Projects load their global setup files separately; the main process is what they share.
const shared = globalThis as { __s2sTmpRoot?: RunRoot }

export default function setup() {
  if (shared.__s2sTmpRoot === undefined) {
    const previous = process.env.TMPDIR
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s2s-run-"))
    // Searchable by all: the embedded PostgreSQL runs as the postgres user when the tests run as root.
    fs.chmodSync(dir, 0o755)
    process.env.TMPDIR = dir
    shared.__s2sTmpRoot = { dir, previous, users: 0 }
  }
  const root = shared.__s2sTmpRoot
  root.users++
  return () => {
    root.users--
    if (root.users > 0) return
    delete shared.__s2sTmpRoot
    if (root.previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = root.previous
    // tsx (the fault suite's service processes run through it) keeps its compile cache in tsx-<uid>.
    const left = fs.readdirSync(root.dir).filter((name) => !/^tsx-\d+$/.test(name))
    fs.rmSync(root.dir, { recursive: true, force: true })
    if (left.length > 0)
      throw new Error(
        `the tests left ${left.length} entr${left.length === 1 ? "y" : "ies"} in the temporary directory: ${left.join(", ")} (use test/support/tmp.ts)`
      )
  }
}
