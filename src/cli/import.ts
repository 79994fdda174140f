// `s2s import dispatched --csv FILE [--dry-run] [--json]` and `s2s import rules --csv FILE
// [--config FILE] [--write]`: moving over from the system s2s replaces (README, "Cutover").
import { Command, Options } from "@effect/cli"
import { type Input, lazy } from "./lazy.js"

const run = () => import("./run/import.js")
const csv = Options.file("csv", { exists: "yes" }).pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription("the CSV file (a header row names the columns)")
)

const dispatchedConfig = {
  csv,
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("check the file and list what would be recorded")),
  json: Options.boolean("json").pipe(Options.withDescription("print the report as JSON"))
}
export type DispatchedInput = Input<typeof dispatchedConfig>

const dispatched = Command.make(
  "dispatched",
  dispatchedConfig,
  lazy(run, (m) => m.dispatched)
).pipe(
  Command.withDescription(
    "Record conversions the previous system already sent (columns order_key,target,sent_at[,reference]) so " +
      "they are never sent again; a file with any bad row records nothing"
  )
)

const rulesConfig = {
  csv,
  config: Options.file("config").pipe(
    Options.withAlias("c"),
    Options.withPseudoName("FILE"),
    Options.withDescription("the s2s.yaml whose rules it replaces (default: S2S_CONFIG, else ./s2s.yaml)"),
    Options.optional
  ),
  write: Options.boolean("write").pipe(Options.withDescription("write the file (default: print the diff only)"))
}
export type RulesInput = Input<typeof rulesConfig>

const rules = Command.make(
  "rules",
  rulesConfig,
  lazy(run, (m) => m.rules)
).pipe(
  Command.withDescription(
    "Turn a rule export (columns company,product,partner,target[,exclude,id,description]; * and globs) into " +
      "the rules of s2s.yaml and show the diff"
  )
)

export const importCommand = Command.make("import").pipe(
  Command.withDescription("Move over from the system s2s replaces: its sent conversions and its rules"),
  Command.withSubcommands([dispatched, rules])
)
