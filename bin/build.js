// Bundles src/ into dist/cli.js with esbuild. Used by bin/s2s.js in a checkout when the bundle is older
// than the sources, and by the Dockerfile.
//
// effect and @effect/* are bundled (tree-shaken: they declare no side effects); every other package
// stays external, loaded from node_modules. Their entry points re-export every module, so importing
// one name from "@effect/platform" loaded all of it, HttpApiScalar's and HttpApiSwagger's inlined
// browser bundles included (about 20 MB of strings held for the life of the process): bundled, the
// service's idle heap went from 88 MB to 49 MB and its RSS under load dropped with it. The source map
// is a separate file (Node reads it only with --enable-source-maps; inline, it was another 1.8 MB
// string in the heap).
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs"
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

const BUNDLED = /^(effect|@effect\/[^/]+)(\/|$)/

/** Every bare import is external, except effect's packages. */
const bundleOnlyEffect = {
  name: "bundle-only-effect",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      BUNDLED.test(args.path) ? undefined : { path: args.path, external: true }
    )
  }
}

export const build = async () => {
  const { build: esbuild } = await import("esbuild")
  // Written beside and renamed, so two processes building at once never load a half-written file
  // (under its final name, which the source map comment refers to).
  const tmpDir = join(root, "dist", `.build-${process.pid}`)
  const tmp = join(tmpDir, "cli.js")
  await esbuild({
    entryPoints: [join(root, "src", "cli.ts")],
    outfile: tmp,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    plugins: [bundleOnlyEffect],
    sourcemap: "linked",
    logLevel: "error"
  })
  renameSync(`${tmp}.map`, `${bundle}.map`)
  renameSync(tmp, bundle)
  rmSync(tmpDir, { recursive: true, force: true })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build()
