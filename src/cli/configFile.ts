// Which s2s.yaml to load and applying it as events. Explicit (--config / S2S_CONFIG) wins and must
// exist; else ./s2s.yaml; else the bundled demo config, but only into a database that has no
// configuration yet or already runs the demo, so a plain `npm start` (or `serve` in the image, which
// ships examples/ but no s2s.yaml) never overwrites what an operator applied.
// Demo mode follows what this process runs, not what the database remembers: every start that runs
// the bundled file enters it (sink routes, demo secrets, channel URLs pointed at the sink live only
// in this process's environment, so a restart must set them again).
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Either, Predicate } from "effect"
import { ConfigState } from "../config/ConfigState.js"
import { planConfigChanges } from "../config/diff.js"
import { ConfigError, type ConfigValidator, loadConfigFile, secretReferences } from "../config/load.js"
import { Db } from "../db/Db.js"
import { enterDemoMode, SINK_PLACEHOLDER, sinkUrl } from "../demo/demoMode.js"
import { metadataAt } from "../events/reads.js"
import { fromRoot } from "../lib/paths.js"

export const BUNDLED_CONFIG = fromRoot("examples", "s2s.yaml")

/** The metadata source of events applied from the bundled file (an operator's file records its own name). */
export const BUNDLED_SOURCE = "config-file:examples/s2s.yaml"

export type ConfigChoice =
  | { readonly _tag: "File"; readonly path: string; readonly explicit: boolean }
  | { readonly _tag: "Bundled"; readonly path: string }

/** `cwd`: where a plain start looks for s2s.yaml (tests give an empty directory, not the checkout's). */
export const chooseConfigFile = (explicit: string | undefined, cwd: string = process.cwd()): ConfigChoice => {
  const given = explicit ?? process.env.S2S_CONFIG
  if (given !== undefined && given !== "") return { _tag: "File", path: given, explicit: true }
  const local = path.resolve(cwd, "s2s.yaml")
  if (fs.existsSync(local)) return { _tag: "File", path: local, explicit: false }
  return { _tag: "Bundled", path: BUNDLED_CONFIG }
}

export const readConfig = (file: string, validators: ReadonlyArray<ConfigValidator>, demo = false) =>
  Effect.tryPromise({
    try: () =>
      loadConfigFile(file, validators, demo ? (text) => text.replaceAll(SINK_PLACEHOLDER, sinkUrl()) : undefined),
    catch: (error) =>
      Predicate.isTagged(error, "ConfigError")
        ? (error as ConfigError)
        : new ConfigError({ file, problems: [String(error)] })
  }).pipe(
    Effect.flatMap((result) => (Either.isRight(result) ? Effect.succeed(result.right) : Effect.fail(result.left)))
  )

/** The metadata source of the configuration event at `position`. */
const sourceAt = (position: number) =>
  Effect.flatMap(Db, (db) => db.query("Config.sourceAt", (sql) => metadataAt(sql, position))).pipe(
    Effect.map((metadata) => (typeof metadata?.source === "string" ? metadata.source : undefined)),
    Effect.orDie
  )

/** Applies the chosen file at service start; logs what changed. */
export const applyAtStart = (
  explicit: string | undefined,
  validators: ReadonlyArray<ConfigValidator>,
  actor: string,
  cwd: string = process.cwd()
) =>
  Effect.gen(function* () {
    const choice = chooseConfigFile(explicit, cwd)
    const state = yield* ConfigState
    // The bundled demo points every channel at the built-in sink on this service's own port.
    const demo = path.resolve(choice.path) === BUNDLED_CONFIG
    const file = yield* readConfig(choice.path, validators, demo)
    if (choice._tag === "Bundled") {
      const current = yield* state.current
      // Databases from before BUNDLED_SOURCE recorded "config-file:s2s.yaml" for the demo too: there
      // the stored configuration being exactly the bundled one tells them apart.
      const runsDemo =
        current.position === 0 ||
        (yield* sourceAt(current.position)) === BUNDLED_SOURCE ||
        planConfigChanges(current, file).length === 0
      if (!runsDemo) {
        yield* Effect.logInfo(
          "no s2s.yaml given; keeping the configuration already in the database (the demo needs --config examples/s2s.yaml)"
        )
        return
      }
    }
    if (demo) enterDemoMode()
    // The service still starts (other sources and targets work); the ones named answer 503 or fail.
    const unset = [
      ...new Set(
        secretReferences(file)
          .filter((r) => !process.env[r.name])
          .map((r) => r.name)
      )
    ]
    if (unset.length > 0)
      yield* Effect.logWarning(
        `environment variable(s) not set: ${unset.join(", ")}; what uses them fails until they are set (webhooks answer 503)`
      )
    const source = demo ? BUNDLED_SOURCE : `config-file:${path.basename(choice.path)}`
    const result = yield* state.apply(file, { actor, source })
    yield* Effect.logInfo(
      result.events === 0
        ? `configuration ${choice.path} is already current${demo ? " (demo mode)" : ""}`
        : `applied ${choice.path}${demo ? " (demo mode)" : ""}: ${result.changes.join("; ")}`
    )
  })
