// Which s2s.yaml to load and applying it as events. Explicit (--config / S2S_CONFIG) wins and must
// exist; else ./s2s.yaml; else the bundled demo config, but only into a database that has no
// configuration yet, so a plain `npm start` never overwrites what an operator applied.
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Either } from "effect"
import { ConfigState } from "../config/ConfigState.js"
import { ConfigError, type ConfigValidator, loadConfigFile } from "../config/load.js"
import { enterDemoMode, SINK_PLACEHOLDER, sinkUrl } from "../demo/demoMode.js"
import { fromRoot } from "../lib/paths.js"

export const BUNDLED_CONFIG = fromRoot("examples", "s2s.yaml")

export type ConfigChoice =
  | { readonly _tag: "File"; readonly path: string; readonly explicit: boolean }
  | { readonly _tag: "Bundled"; readonly path: string }

export const chooseConfigFile = (explicit: string | undefined): ConfigChoice => {
  const given = explicit ?? process.env.S2S_CONFIG
  if (given !== undefined && given !== "") return { _tag: "File", path: given, explicit: true }
  if (fs.existsSync("s2s.yaml")) return { _tag: "File", path: path.resolve("s2s.yaml"), explicit: false }
  return { _tag: "Bundled", path: BUNDLED_CONFIG }
}

export const readConfig = (file: string, validators: ReadonlyArray<ConfigValidator>, demo = false) =>
  Effect.tryPromise({
    try: () =>
      loadConfigFile(file, validators, demo ? (text) => text.replaceAll(SINK_PLACEHOLDER, sinkUrl()) : undefined),
    catch: (error) => (error instanceof ConfigError ? error : new ConfigError(file, [String(error)]))
  }).pipe(
    Effect.flatMap((result) => (Either.isRight(result) ? Effect.succeed(result.right) : Effect.fail(result.left)))
  )

/** Applies the chosen file at service start; logs what changed. */
export const applyAtStart = (explicit: string | undefined, validators: ReadonlyArray<ConfigValidator>, actor: string) =>
  Effect.gen(function* () {
    const choice = chooseConfigFile(explicit)
    const state = yield* ConfigState
    if (choice._tag === "Bundled") {
      const current = yield* state.current
      if (current.position > 0) {
        yield* Effect.logInfo("no s2s.yaml given; keeping the configuration already in the database")
        return
      }
    }
    // The bundled demo points every channel at the built-in sink on this service's own port.
    const demo = path.resolve(choice.path) === BUNDLED_CONFIG
    if (demo) enterDemoMode()
    const file = yield* readConfig(choice.path, validators, demo)
    const result = yield* state.apply(file, { actor, source: `config-file:${path.basename(choice.path)}` })
    yield* Effect.logInfo(
      result.events === 0
        ? `configuration ${choice.path} is already current`
        : `applied ${choice.path}: ${result.changes.join("; ")}`
    )
  })
