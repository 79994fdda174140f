// `s2s projections list [--json]` and `s2s projections rebuild NAME|--all [--json]`. A rebuild fills a
// new generation beside the live one and swaps atomically (projections/rebuild.ts); on a terminal it
// shows one updating progress line on stderr (events done / total, rate, ETA), and always prints a
// summary (events, rows, added / removed / changed, duration) on stdout. A rebuild already running
// for the projection is a failure (exit code 1); an unknown name a usage error (exit code 2).
import { Args, Command, Options } from "@effect/cli"
import { type Input, lazy } from "./lazy.js"

const run = () => import("./run/projections.js")
const json = Options.boolean("json").pipe(Options.withDescription("print JSON"))

const listConfig = { json }
export type ListInput = Input<typeof listConfig>

const list = Command.make(
  "list",
  listConfig,
  lazy(run, (m) => m.list)
).pipe(Command.withDescription("List projections: active generation, checkpoint position and lag"))

const rebuildConfig = {
  name: Args.text({ name: "NAME" }).pipe(Args.withDescription("the projection to rebuild"), Args.optional),
  all: Options.boolean("all").pipe(Options.withDescription("rebuild every projection, one after the other")),
  json
}
export type RebuildInput = Input<typeof rebuildConfig>

const rebuildCommand = Command.make(
  "rebuild",
  rebuildConfig,
  lazy(run, (m) => m.rebuildProjections)
).pipe(Command.withDescription("Rebuild a projection beside the live one and swap atomically; prints what differed"))

export const projections = Command.make("projections").pipe(
  Command.withDescription("List and rebuild projections (read models)"),
  Command.withSubcommands([list, rebuildCommand])
)
