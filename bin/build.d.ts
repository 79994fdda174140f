// Types of bin/build.js for the TypeScript code that calls it (the tests that need the console built,
// and the start-up test that builds the CLI with the same options).
import type { BuildOptions } from "esbuild"

export declare const root: string
export declare const bundle: string
export declare const consoleDir: string
export declare const isStale: () => boolean
export declare const isConsoleStale: () => boolean
export declare const buildOptions: (outdir: string) => BuildOptions
export declare const build: () => Promise<void>
export declare const buildConsole: () => Promise<{ js: string; css: string; files: Array<string> }>
