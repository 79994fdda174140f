// Files shipped beside the code (sql/, examples/), found from the package root, so the same lookup
// works from src/ (tests), from the dist/cli.js bundle and from a production image.
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const findRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error("cannot find the s2s package root (no package.json above the code)")
    dir = parent
  }
  return dir
}

export const packageRoot = findRoot()
export const fromRoot = (...parts: ReadonlyArray<string>) => join(packageRoot, ...parts)
