// Temporary directories in tests: each under the run's root (test/support/tmpRoot.ts points
// os.tmpdir() there) and removed by the test or file that made it; the run fails on any left behind.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { onCleanup } from "./cleanup.js"

/**
 * A fresh directory, removed when the current test ends (made inside a test) or after the file's tests
 * (made at the top of the file or in a beforeAll).
 */
export const tempDir = (prefix: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `s2s-${prefix}-`))
  const remove = () => fs.rmSync(dir, { recursive: true, force: true })
  onCleanup(remove)
  return dir
}

/** A file `name` with `content` in a fresh temporary directory (see tempDir); returns its path. */
export const tempFile = (prefix: string, name: string, content: string): string => {
  const file = path.join(tempDir(prefix), name)
  fs.writeFileSync(file, content)
  return file
}
