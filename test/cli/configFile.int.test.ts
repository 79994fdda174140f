// Which configuration a plain start runs when there is no ./s2s.yaml (the checkout's case, and the
// image's): the bundled demo, in demo mode, on a new database and on every restart of a demo
// database (also one recorded before the bundled file had its own source); an operator's applied
// configuration is kept and no demo default is set.
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { beforeEach, describe, expect, it } from "vitest"
import { applyAtStart, BUNDLED_CONFIG, BUNDLED_SOURCE, chooseConfigFile, readConfig } from "../../src/cli/configFile.js"
import { ConfigState, ConfigStateLive } from "../../src/config/ConfigState.js"
import type { Db } from "../../src/db/Db.js"
import { DEMO_SECRETS } from "../../src/demo/demoMode.js"
import { configValidators } from "../../src/main.js"
import { appSql, dbLayer, freshDatabase } from "../support/db.js"
import { tempDir } from "../support/tmp.js"

const DEMO_VARS = [
  ...Object.keys(DEMO_SECRETS),
  "S2S_DEMO",
  "META_GRAPH_URL",
  "GOOGLE_DATA_MANAGER_URL",
  "GOOGLE_OAUTH_TOKEN_URL",
  "SLACK_API_URL",
  "S2S_CONFIG"
]

// A new process each start: nothing of demo mode survives in the environment.
beforeEach(() => {
  for (const name of DEMO_VARS) delete process.env[name]
})

const inDatabase = <A, E>(url: string, effect: Effect.Effect<A, E, ConfigState | Db>) =>
  Effect.runPromise(effect.pipe(Effect.provide(ConfigStateLive.pipe(Layer.provideMerge(dbLayer(url)))), Effect.scoped))

// A directory without s2s.yaml: a checkout may well have one (examples/s2s.yaml suggests creating it).
const emptyDir = tempDir("nocfg")

const plainStart = (url: string, cwd = emptyDir) =>
  inDatabase(url, applyAtStart(undefined, configValidators, "test", cwd))

const sources = async (url: string) =>
  (
    await appSql(url, 1)<Array<{ source: string }>>`
      select distinct metadata->>'source' as source from events where stream_id like 'config:%'`
  ).map((r) => r.source)

describe("a start without ./s2s.yaml", () => {
  it("takes ./s2s.yaml of the directory it starts in when there is one, else the bundled demo", () => {
    expect(chooseConfigFile(undefined, emptyDir)).toEqual({ _tag: "Bundled", path: BUNDLED_CONFIG })
    const dir = tempDir("cfg")
    fs.writeFileSync(path.join(dir, "s2s.yaml"), "sources: []\n")
    expect(chooseConfigFile(undefined, dir)).toEqual({
      _tag: "File",
      path: path.join(dir, "s2s.yaml"),
      explicit: false
    })
    expect(chooseConfigFile("other.yaml", dir)).toEqual({ _tag: "File", path: "other.yaml", explicit: true })
  })

  it("applies the bundled demo in demo mode, under its own source, and stays in demo mode on restart", async () => {
    const url = await freshDatabase()
    await plainStart(url)
    expect(process.env.S2S_DEMO).toBe("1")
    expect(await sources(url)).toEqual([BUNDLED_SOURCE])
    for (const name of DEMO_VARS) if (name !== "S2S_CONFIG") delete process.env[name]
    await plainStart(url)
    expect(process.env.S2S_DEMO).toBe("1")
    expect(process.env.S2S_DEMO_SHOPIFY_SECRET).toBe(DEMO_SECRETS.S2S_DEMO_SHOPIFY_SECRET)
    expect(process.env.META_GRAPH_URL).toMatch(/\/demo\/meta$/)
    expect(process.env.SLACK_API_URL).toMatch(/\/demo\/slack\/api\/$/)
  })

  it("recognizes a demo database recorded as config-file:s2s.yaml by its content", async () => {
    const url = await freshDatabase()
    await inDatabase(
      url,
      Effect.gen(function* () {
        const file = yield* readConfig(BUNDLED_CONFIG, configValidators, true)
        yield* (yield* ConfigState).apply(file, { actor: "test", source: "config-file:s2s.yaml" })
      })
    )
    await plainStart(url)
    expect(process.env.S2S_DEMO).toBe("1")
  })

  it("keeps an operator's configuration and sets no demo default", async () => {
    const url = await freshDatabase()
    const dir = tempDir("own")
    const own = path.join(dir, "s2s.yaml")
    fs.writeFileSync(
      own,
      "sources:\n  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:SHOPIFY_SECRET }\n"
    )
    await inDatabase(
      url,
      Effect.gen(function* () {
        const file = yield* readConfig(own, configValidators)
        yield* (yield* ConfigState).apply(file, { actor: "cli:ops", source: "config-file:s2s.yaml" })
      })
    )
    for (const name of DEMO_VARS) delete process.env[name]
    await plainStart(url)
    for (const name of DEMO_VARS) expect(process.env[name], name).toBeUndefined()
    expect(await sources(url)).toEqual(["config-file:s2s.yaml"])
    const snapshot = await inDatabase(
      url,
      Effect.flatMap(ConfigState, (s) => s.current)
    )
    expect([...snapshot.sources.keys()]).toEqual(["shop-de"])
  })
})
