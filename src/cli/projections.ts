// `s2s projections list [--json]` and `s2s projections rebuild NAME|--all [--json]`. A rebuild fills a
// new generation beside the live one and swaps atomically (projections/rebuild.ts); on a terminal it
// shows one updating progress line on stderr (events done / total, rate, ETA), and always prints a
// summary (events, rows, added / removed / changed, duration) on stdout. A rebuild already running
// for the projection is a failure (exit code 1); an unknown name a usage error (exit code 2).
import { Args, Command, Options } from "@effect/cli"
import { Effect, Layer } from "effect"
import { Db } from "../db/Db.js"
import { DatabaseReady, ProjectionsLive } from "../main.js"
import { rebuildSummary } from "../operations/progress.js"
import { projectionStatus } from "../operations/projections/status.js"
import type { Projection } from "../projections/Projection.js"
import { Projections } from "../projections/Projector.js"
import { rebuild } from "../projections/rebuild.js"
import { print, printJson, printTable, usageError } from "./output.js"
import { terminalProgress } from "./progress.js"

const json = Options.boolean("json").pipe(Options.withDescription("print JSON"))

const ProjectionsCliLive = Layer.merge(DatabaseReady, ProjectionsLive)

const list = Command.make("list", { json }, ({ json }) =>
  Effect.gen(function* () {
    const db = yield* Db
    const names = (yield* Projections).map((p) => p.name)
    const status = yield* db.run("Projections.status", (sql) => projectionStatus(sql, names))
    if (json) return yield* printJson(status)
    const n = (v: number | null) => (v === null ? "-" : String(v))
    yield* printTable(
      ["NAME", "GENERATION", "CHECKPOINT", "LAG EVENTS", "LAG SECONDS", "REBUILDING"],
      status.map((s) => [
        s.name,
        s.checkpoint === null ? "not started" : n(s.activeGeneration),
        n(s.checkpoint),
        n(s.lagEvents),
        n(s.lagSeconds),
        s.rebuildingGeneration === null ? "" : `generation ${s.rebuildingGeneration}`
      ])
    )
  }).pipe(Effect.provide(ProjectionsCliLive))
).pipe(Command.withDescription("List projections: active generation, checkpoint position and lag"))

const rebuildOne = (projection: Projection) =>
  Effect.gen(function* () {
    const db = yield* Db
    const progress = terminalProgress(projection.name)
    return yield* Effect.tryPromise({
      try: () => {
        const draw = progress.onProgress
        return rebuild(db.sql, projection, draw ? { onProgress: (p) => draw(p.done, p.total) } : {})
      },
      // RebuildInProgress and database failures alike end the command with their message (exit 1).
      catch: (error) => (error instanceof Error ? error : new Error(String(error)))
    }).pipe(Effect.ensuring(Effect.sync(progress.done)))
  })

const rebuildCommand = Command.make(
  "rebuild",
  {
    name: Args.text({ name: "NAME" }).pipe(Args.withDescription("the projection to rebuild"), Args.optional),
    all: Options.boolean("all").pipe(Options.withDescription("rebuild every projection, one after the other")),
    json
  },
  ({ name, all, json }) =>
    Effect.gen(function* () {
      const known = yield* Effect.provide(Projections, ProjectionsLive)
      const names = known.map((p) => p.name).join(", ")
      if (all === (name._tag === "Some"))
        return yield* usageError(`give one projection NAME or --all (known: ${names})`)
      const chosen = all ? known : known.filter((p) => name._tag === "Some" && p.name === name.value)
      if (chosen.length === 0 && name._tag === "Some")
        return yield* usageError(`no projection "${name.value}" (known: ${names})`)
      const reports = yield* Effect.forEach(chosen, (projection) =>
        rebuildOne(projection).pipe(
          Effect.tap((report) => (json ? Effect.void : Effect.forEach(rebuildSummary(report), (line) => print(line))))
        )
      ).pipe(Effect.provide(DatabaseReady))
      if (json) yield* printJson(all ? reports : reports[0])
    })
).pipe(Command.withDescription("Rebuild a projection beside the live one and swap atomically; prints what differed"))

export const projections = Command.make("projections").pipe(
  Command.withDescription("List and rebuild projections (read models)"),
  Command.withSubcommands([list, rebuildCommand])
)
