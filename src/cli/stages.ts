// The stages' layers (main.ts) for command handlers, loaded when a command runs: parsing and `--help`
// never evaluate the service's modules (HTTP, worker, channels, their packages). A command file imports
// main.ts only through these; test/cli/startup.test.ts checks the entry chunk stays free of it.
import { Effect, type Layer } from "effect"

export type Stages = typeof import("../main.js")

export const stages: Effect.Effect<Stages> = Effect.promise(() => import("../main.js"))

/** Provides the layer `pick` chooses from main.ts. */
export const withStages =
  <ROut, E2>(pick: (main: Stages) => Layer.Layer<ROut, E2>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | E2, Exclude<R, ROut>> =>
    Effect.flatMap(stages, (main) => Effect.provide(effect, pick(main)))

/** What every command that touches the database needs (main.ts CoreLive). */
export const withCore = withStages((main) => main.CoreLive)
