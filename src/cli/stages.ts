// The stages' layers for command handlers, loaded when a command runs: parsing and `--help` never
// evaluate the service's modules (HTTP, worker, channels, their packages). A one-shot command loads
// only the part of src/stages/ it needs (the database and the event store, the operator actions, the
// read models), never main.ts, which composes the service for `s2s serve`. test/cli/startup.test.ts
// checks what the entry chunk and each part reach.
import { Effect, Layer } from "effect"

export type Stages = typeof import("../main.js")

/** The service's composition (`s2s serve`). */
export const stages: Effect.Effect<Stages> = Effect.promise(() => import("../main.js"))

/** Provides the layer `pick` makes of the module `load` imports when the command runs. */
const providedFrom =
  <M, ROut, E2, RIn = never>(load: () => Promise<M>, pick: (module: M) => Layer.Layer<ROut, E2, RIn>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | E2, RIn | Exclude<R, ROut>> =>
    Effect.flatMap(Effect.promise(load), (module) => Effect.provide(effect, pick(module)))

const core = () => import("../stages/core.js")

/** The database located, migrated and its pool open (no event store, config or tokens). */
export const withDatabaseReady = providedFrom(core, (m) => m.DatabaseReady)

/** What every command that touches the database needs: the event store, the config state, tokens. */
export const withCore = providedFrom(core, (m) => m.CoreLive)

/** Operator actions (redispatch, renormalize, replan) with what they stand on. */
export const withOperations = providedFrom(
  () => Promise.all([core(), import("../stages/operations.js")]),
  ([c, o]) => o.OperationsLive.pipe(Layer.provideMerge(c.CoreLive))
)

/** Operator actions on the core the caller already provides (loaded only when this runs). */
export const addOperations = providedFrom(
  () => import("../stages/operations.js"),
  (o) => o.OperationsLive
)

/** The read models (for `s2s projections`), with the database. */
export const withProjections = providedFrom(
  () => Promise.all([core(), import("../stages/projections.js")]),
  ([c, p]) => Layer.merge(c.DatabaseReady, p.ProjectionsLive)
)

/** The checks of s2s.yaml beyond its schema (what the egress guard would refuse included). */
export const configValidators = Effect.promise(() => import("../stages/validators.js")).pipe(
  Effect.map((m) => m.configValidators)
)
