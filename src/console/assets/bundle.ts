// The console's built browser code (dist/console/, written by bin/build.js from web/): the manifest
// names the content-hashed files, which are held in memory with their gzip form and an ETag, so a page
// costs no disk read and a returning browser keeps them for a year (the name changes with the content).
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fromRoot } from "../../lib/paths.js"
import { type Asset, makeAsset } from "../../lib/staticAsset.js"

export interface Bundle {
  readonly js: string
  readonly css: string
  readonly assets: ReadonlyMap<string, Asset>
}

export const CONSOLE_DIST = fromRoot("dist", "console")

/** The built console, or undefined when it was never built (a checkout that skipped `npm run build`). */
export const loadBundle = (dir = CONSOLE_DIST): Bundle | undefined => {
  const manifestFile = join(dir, "manifest.json")
  if (!existsSync(manifestFile)) return undefined
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { js: string; css: string; files: Array<string> }
  const assets = new Map(manifest.files.map((file) => [file, makeAsset(file, readFileSync(join(dir, file)))]))
  return { js: manifest.js, css: manifest.css, assets }
}
