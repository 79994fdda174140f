#!/usr/bin/env node
// The `s2s` command. In a checkout, src/ is bundled into dist/cli.js and web/ into dist/console/
// whenever the sources are newer (esbuild, about a second), so `npm ci && npm start` needs no separate
// build step; a production image ships dist/ without src/ and web/ and runs it as is.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { build, buildConsole, bundle, isConsoleStale, isStale, root } from "./build.js"

if (existsSync(join(root, "src", "cli.ts")) && isStale()) await build()
// Only the service serves the console; other commands do not wait for its build.
if (process.argv[2] === "serve" && isConsoleStale()) await buildConsole()
await import(pathToFileURL(bundle).href)
