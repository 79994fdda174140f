#!/usr/bin/env node
// The `s2s` command. In a checkout, src/ is bundled into dist/cli.js whenever the sources are newer
// (esbuild, well under a second), so `npm ci && npm start` needs no separate build step; a production
// image ships dist/ without src/ and runs it as is.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { build, bundle, isStale, root } from "./build.js"

if (existsSync(join(root, "src", "cli.ts")) && isStale()) await build()
await import(pathToFileURL(bundle).href)
