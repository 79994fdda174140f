// `s2s config apply FILE [--check]` and `s2s config show [--json]`.
import { Args, Command, Options } from "@effect/cli"
import { type Input, lazy } from "./lazy.js"

const run = () => import("./run/config.js")

const applyConfig = {
  file: Args.file({ name: "FILE", exists: "yes" }),
  check: Options.boolean("check").pipe(
    Options.withDescription("validate, list the changes and missing env vars, apply nothing")
  ),
  allowMissingEnv: Options.boolean("allow-missing-env").pipe(
    Options.withDescription("apply although env:NAME variables are unset here (set where the service runs)")
  )
}
export type ApplyInput = Input<typeof applyConfig>

const apply = Command.make(
  "apply",
  applyConfig,
  lazy(run, (m) => m.apply)
).pipe(
  Command.withDescription("Validate s2s.yaml and record every difference from the current configuration as events")
)

const showConfig = { json: Options.boolean("json").pipe(Options.withDescription("print JSON instead of YAML")) }
export type ShowInput = Input<typeof showConfig>

const show = Command.make(
  "show",
  showConfig,
  lazy(run, (m) => m.show)
).pipe(Command.withDescription("Print the current configuration (from the event log)"))

export const config = Command.make("config").pipe(
  Command.withDescription("Apply or show the s2s.yaml configuration"),
  Command.withSubcommands([apply, show])
)
