// Bundles src/ into dist/ with esbuild, and the web console's browser code (web/) into dist/console/
// (everything bundled, content-hashed names, a manifest). Used by bin/s2s.js in a checkout when a
// bundle is older than its sources, by `npm run build`, by the tests that need the console, and by the
// Dockerfile.
//
// Start-up time is what this is about (`s2s --help` and one-shot commands start a fresh Node each
// time). effect and @effect/* are bundled in, tree-shaken: importing their barrels from node_modules
// evaluates hundreds of modules (~0.5 s) for the few functions a command uses. Every other package stays
// external (native code, dynamic requires, or loaded only when needed). Code splitting turns each
// `import()` in src/ into its own chunk, so a command loads only the stages it runs (src/cli/lazy.ts).
//
// It also bounds the service's memory: effect's entry points re-export every module, so importing one
// name from "@effect/platform" loaded all of it, HttpApiScalar's and HttpApiSwagger's inlined browser
// bundles included (about 20 MB of strings held for the life of the process); bundled, the service's
// idle heap went from 88 MB to 49 MB. The source map is a separate file (Node reads it only with
// --enable-source-maps; inline, it was another 1.8 MB string in the heap).
//
// Each build goes to its own directory, dist/<id>/, and dist/cli.js (a one-line entry importing it) is
// replaced by a rename: a process that is starting while another builds never sees half a build, and
// one that already runs keeps finding its chunks (the last few builds, and any younger than 10
// minutes, are kept).
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { builtinModules, createRequire } from "node:module"
import { join, sep } from "node:path"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("..", import.meta.url))
export const bundle = join(root, "dist", "cli.js")

const KEEP_BUILDS = 3

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
  statSync(bundle).mtimeMs <
    Math.max(newest(join(root, "src")), ...["package.json", "bin/build.js"].map((f) => statSync(join(root, f)).mtimeMs))

const bundled = (path) => path === "effect" || path.startsWith("effect/") || path.startsWith("@effect/")

const resolveFrom = (path, from) => {
  try {
    return createRequire(from).resolve(path)
  } catch {
    return undefined
  }
}

/**
 * Bare imports of anything but effect and @effect/* stay imports of node_modules, resolved at run time
 * from dist/, that is from the top of node_modules. A bundled package whose dependency resolves to
 * another copy there (effect's fast-check 3 under node_modules/effect, our fast-check 4, a dev
 * dependency, on top) gets its own copy bundled in instead, so dist/ never depends on hoisting.
 */
const externalPackages = {
  name: "external-packages",
  setup(build) {
    const top = join(root, "package.json")
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (bundled(args.path)) return undefined
      if (args.path.startsWith("node:") || builtinModules.includes(args.path))
        return { path: args.path, external: true }
      if (
        args.importer.includes(`${sep}node_modules${sep}`) &&
        resolveFrom(args.path, args.importer) !== resolveFrom(args.path, top)
      )
        return undefined
      return { path: args.path, external: true }
    })
  }
}

/** esbuild's options for a build into `outdir` (test/cli/startup.test.ts checks what the entry loads). */
export const buildOptions = (outdir) => ({
  entryPoints: { cli: join(root, "src", "cli.ts") },
  outdir,
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  plugins: [externalPackages],
  // Bundled CommonJS (a few @effect/platform-node dependencies) may call require.
  banner: {
    js: "import { createRequire as __s2sRequire } from 'node:module'; const require = __s2sRequire(import.meta.url);"
  },
  sourcemap: "linked",
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "error"
})

export const build = async () => {
  const { build: esbuild } = await import("esbuild")
  const dist = join(root, "dist")
  const id = `build-${Date.now().toString(36)}-${process.pid}`
  await esbuild(buildOptions(join(dist, id)))
  const tmp = `${bundle}.${process.pid}.tmp`
  mkdirSync(dist, { recursive: true })
  writeFileSync(tmp, `import "./${id}/cli.js"\n`)
  renameSync(tmp, bundle)
  const builds = readdirSync(dist, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name.startsWith("build-") && e.name !== id)
    .map((e) => ({ name: e.name, at: statSync(join(dist, e.name)).mtimeMs }))
    .sort((a, b) => b.at - a.at)
  // Older builds go once they are old too: a process started from one may still load its chunks.
  const cutoff = Date.now() - 10 * 60_000
  for (const old of builds.slice(KEEP_BUILDS - 1))
    if (old.at < cutoff) rmSync(join(dist, old.name), { recursive: true, force: true })
}

export const consoleDir = join(root, "dist", "console")
const consoleManifest = join(consoleDir, "manifest.json")
const consoleSources = join(root, "web")

export const isConsoleStale = () =>
  existsSync(consoleSources) &&
  (!existsSync(consoleManifest) ||
    statSync(consoleManifest).mtimeMs <
      Math.max(newest(consoleSources), ...["package.json", "bin/build.js"].map((f) => statSync(join(root, f)).mtimeMs)))

/**
 * dist/console/app-HASH.js and app-HASH.css, minified, for the browsers of the last few years. Files
 * are written under their content hash (two builds at once write the same bytes), the manifest last
 * and by rename, so a reader sees either the old build or the whole new one. The service reads them
 * from dist/console/ whichever dist/build-* directory its code was loaded from.
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
