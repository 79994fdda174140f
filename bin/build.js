// Bundles src/ into dist/cli.js with esbuild (our code only; packages stay external). Used by
// bin/s2s.js in a checkout when the bundle is older than the sources, and by the Dockerfile.
import { existsSync, readdirSync, renameSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("..", import.meta.url))
export const bundle = join(root, "dist", "cli.js")

const newest = (dir) => {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return latest
}

export const isStale = () =>
  !existsSync(bundle) ||
  statSync(bundle).mtimeMs < Math.max(newest(join(root, "src")), statSync(join(root, "package.json")).mtimeMs)

export const build = async () => {
  const { build: esbuild } = await import("esbuild")
  // Written beside and renamed, so two processes building at once never load a half-written file.
  const tmp = `${bundle}.${process.pid}.tmp`
  await esbuild({
    entryPoints: [join(root, "src", "cli.ts")],
    outfile: tmp,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "error"
  })
  renameSync(tmp, bundle)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build()
