// `s2s projections list|rebuild`: what the commands defined in ../projections.ts do.
import { Effect } from "effect"
import { Db } from "../../db/Db.js"
import { rebuildSummary } from "../../operations/progress.js"
import { projectionStatus } from "../../operations/projections/status.js"
import type { Projection } from "../../projections/Projection.js"
import { Projections } from "../../projections/Projector.js"
import { rebuildProjection } from "../../projections/rebuild.js"
import { print, printJson, printTable, usageError } from "../output.js"
import { terminalProgress } from "../progress.js"
import type { ListInput, RebuildInput } from "../projections.js"
import { withDatabaseReady, withProjections } from "../stages.js"

export const list = ({ json }: ListInput) =>
  Effect.gen(function* () {
    const db = yield* Db
    const names = (yield* Projections).map((p) => p.name)
    const status = yield* db.query("Projections.status", (sql) => projectionStatus(sql, names))
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
  }).pipe(withProjections)

const rebuildOne = (projection: Projection) =>
  Effect.gen(function* () {
    const db = yield* Db
    const progress = terminalProgress(projection.name)
    const draw = progress.onProgress
    // RebuildInProgress and database failures alike end the command with their message (exit 1).
    return yield* rebuildProjection(db, projection, draw ? { onProgress: (p) => draw(p.done, p.total) } : {}).pipe(
      Effect.ensuring(Effect.sync(progress.done))
    )
  })

export const rebuildProjections = ({ name, all, json }: RebuildInput) =>
  Effect.gen(function* () {
    const known = yield* withProjections(Projections)
    const names = known.map((p) => p.name).join(", ")
    if (all === (name._tag === "Some")) return yield* usageError(`give one projection NAME or --all (known: ${names})`)
    const chosen = all ? known : known.filter((p) => name._tag === "Some" && p.name === name.value)
    if (chosen.length === 0 && name._tag === "Some")
      return yield* usageError(`no projection "${name.value}" (known: ${names})`)
    const reports = yield* Effect.forEach(chosen, (projection) =>
      rebuildOne(projection).pipe(
        Effect.tap((report) => (json ? Effect.void : Effect.forEach(rebuildSummary(report), (line) => print(line))))
      )
    ).pipe(withDatabaseReady)
    if (json) yield* printJson(all ? reports : reports[0])
  })
