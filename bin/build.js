// Bundles src/ into dist/cli.js with esbuild (our code only; packages stay external), and the web
// console's browser code (web/) into dist/console/ (everything bundled, content-hashed names, a
// manifest). Used by bin/s2s.js in a checkout when a bundle is older than its sources, by the tests
// that need the console, and by the Dockerfile.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
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

export const consoleDir = join(root, "dist", "console")
const consoleManifest = join(consoleDir, "manifest.json")
const consoleSources = join(root, "web")

export const isConsoleStale = () =>
  existsSync(consoleSources) &&
  (!existsSync(consoleManifest) ||
    statSync(consoleManifest).mtimeMs < Math.max(newest(consoleSources), statSync(join(root, "package.json")).mtimeMs))

/**
 * dist/console/app-HASH.js and app-HASH.css, minified, for the browsers of the last few years. Files
 * are written under their content hash (two builds at once write the same bytes), the manifest last
 * and by rename, so a reader sees either the old build or the whole new one.
 */
export const buildConsole = async () => {
  const { build: esbuild } = await import("esbuild")
  const result = await esbuild({
    entryPoints: { app: join(consoleSources, "main.tsx") },
    outdir: consoleDir,
    entryNames: "[name]-[hash]",
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2022", "chrome109", "firefox115", "safari16"],
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    metafile: true,
    write: false,
    logLevel: "error"
  })
  mkdirSync(consoleDir, { recursive: true })
  const files = []
  for (const file of result.outputFiles) {
    const name = file.path.slice(consoleDir.length + 1)
    const tmp = `${file.path}.${process.pid}.tmp`
    writeFileSync(tmp, file.contents)
    renameSync(tmp, file.path)
    files.push(name)
  }
  const js = files.find((f) => f.endsWith(".js"))
  const css = files.find((f) => f.endsWith(".css"))
  const tmp = `${consoleManifest}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify({ js, css, files }, null, 2)}\n`)
  renameSync(tmp, consoleManifest)
  // Earlier builds' files: a running service holds its assets in memory, so they can go.
  for (const old of readdirSync(consoleDir))
    if (old !== "manifest.json" && !files.includes(old) && !old.endsWith(".tmp"))
      rmSync(join(consoleDir, old), { force: true })
  return { js, css, files }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await build()
  await buildConsole()
}
