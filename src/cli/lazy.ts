// How a command is wired: its definition (name, arguments, options, description) is light and loaded
// for every `s2s` call, since parsing and `--help` need the whole tree; what it does lives in a module
// under cli/run/, loaded only when that command runs (esbuild makes each one its own chunk). A new
// command = a definition in cli/ registered in cli/app.ts + its handler in cli/run/.
import type { Command } from "@effect/cli"
import { Effect } from "effect"

/** The parsed input of a command's config (its options and arguments). */
export type Input<Config extends Command.Command.Config> = Command.Command.ParseConfig<Config>

/** A handler loaded from `load()` when the command runs. */
export const lazy =
  <M, A, E, R>(load: () => Promise<M>, pick: (module: M) => (input: A) => Effect.Effect<void, E, R>) =>
  (input: A): Effect.Effect<void, E, R> =>
    Effect.flatMap(Effect.promise(load), (module) => pick(module)(input))
