// `s2s config apply|show`: what the commands defined in ../config.ts do.
import { Console, Effect } from "effect"
import { stringify } from "yaml"
import { ConfigState } from "../../config/ConfigState.js"
import { planConfigChanges } from "../../config/diff.js"
import { secretReferences } from "../../config/load.js"
import type { ApplyInput, ShowInput } from "../config.js"
import { readConfig } from "../configFile.js"
import { cliActor, print, printJson } from "../output.js"
import { stages, withCore } from "../stages.js"

export const apply = ({ file, check }: ApplyInput) =>
  Effect.gen(function* () {
    const config = yield* readConfig(file, (yield* stages).configValidators)
    const state = yield* ConfigState
    const missing = secretReferences(config).filter((r) => !process.env[r.name])
    for (const m of missing)
      yield* Console.error(`warning: environment variable ${m.name} (used by ${m.usedBy}) is not set`)
    if (check) {
      const planned = planConfigChanges(yield* state.refresh, config)
      yield* print(`${file} is valid`)
      if (planned.length === 0) yield* print("no changes: the configuration is current")
      for (const a of planned) yield* print(`would record ${a.events.map((e) => e._tag).join(", ")} on ${a.streamId}`)
      if (missing.length > 0) return yield* Effect.fail(new Error(`${missing.length} environment variable(s) missing`))
      return
    }
    const result = yield* state.apply(config, { actor: cliActor(), source: `config-file:${file}` })
    if (result.events === 0) yield* print("no changes: the configuration is current")
    else {
      for (const c of result.changes) yield* print(`recorded ${c}`)
      yield* print(`${result.events} event(s) recorded`)
    }
  }).pipe(withCore)

export const show = ({ json }: ShowInput) =>
  Effect.gen(function* () {
    const state = yield* ConfigState
    const s = yield* state.refresh
    const document = {
      sources: [...s.sources.values()],
      products: s.products,
      partners: s.partners,
      targets: [...s.targets.values()],
      rules: s.rules,
      ...(s.alerts === undefined ? {} : { alerts: s.alerts })
    }
    yield* json ? printJson(document) : print(stringify(document).trimEnd())
  }).pipe(withCore)
