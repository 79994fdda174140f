// `s2s config apply FILE [--check]` and `s2s config show [--json]`.
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { stringify } from "yaml"
import { ConfigState } from "../config/ConfigState.js"
import { planConfigChanges } from "../config/diff.js"
import { secretReferences } from "../config/load.js"
import { CoreLive, configValidators } from "../main.js"
import { readConfig } from "./configFile.js"
import { cliActor, print, printJson } from "./output.js"

const apply = Command.make(
  "apply",
  {
    file: Args.file({ name: "FILE", exists: "yes" }),
    check: Options.boolean("check").pipe(
      Options.withDescription("validate, list the changes and missing env vars, apply nothing")
    )
  },
  ({ file, check }) =>
    Effect.gen(function* () {
      const config = yield* readConfig(file, configValidators)
      const state = yield* ConfigState
      const missing = secretReferences(config).filter((r) => !process.env[r.name])
      for (const m of missing)
        yield* Console.error(`warning: environment variable ${m.name} (used by ${m.usedBy}) is not set`)
      if (check) {
        const planned = planConfigChanges(yield* state.refresh, config)
        yield* print(`${file} is valid`)
        if (planned.length === 0) yield* print("no changes: the configuration is current")
        for (const a of planned) yield* print(`would record ${a.events.map((e) => e._tag).join(", ")} on ${a.streamId}`)
        if (missing.length > 0)
          return yield* Effect.fail(new Error(`${missing.length} environment variable(s) missing`))
        return
      }
      const result = yield* state.apply(config, { actor: cliActor(), source: `config-file:${file}` })
      if (result.events === 0) yield* print("no changes: the configuration is current")
      else {
        for (const c of result.changes) yield* print(`recorded ${c}`)
        yield* print(`${result.events} event(s) recorded`)
      }
    }).pipe(Effect.provide(CoreLive))
).pipe(
  Command.withDescription("Validate s2s.yaml and record every difference from the current configuration as events")
)

const show = Command.make(
  "show",
  { json: Options.boolean("json").pipe(Options.withDescription("print JSON instead of YAML")) },
  ({ json }) =>
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
    }).pipe(Effect.provide(CoreLive))
).pipe(Command.withDescription("Print the current configuration (from the event log)"))

export const config = Command.make("config").pipe(
  Command.withDescription("Apply or show the s2s.yaml configuration"),
  Command.withSubcommands([apply, show])
)
