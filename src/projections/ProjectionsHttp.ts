// POST /api/v1/projections/{name}/rebuild (scope operate): rebuilds beside the live view, swaps
// atomically, answers with what differed.
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { requireScope } from "../api/Auth.js"
import { conflict, notFound } from "../api/errors.js"
import { apiOf } from "../api/group.js"
import { Db, orDieOnDbError } from "../db/Db.js"
import { ProjectionsGroup } from "./ProjectionsApi.js"
import { Projections } from "./Projector.js"
import { rebuildProjection } from "./rebuild.js"

export const ProjectionsHttpLive = HttpApiBuilder.group(apiOf(ProjectionsGroup), "projections", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    const projections = yield* Projections
    return handlers.handle("rebuild", ({ path }) =>
      Effect.gen(function* () {
        yield* requireScope("operate")
        const projection = projections.find((p) => p.name === path.name)
        if (projection === undefined) {
          return yield* Effect.fail(
            notFound(`no projection "${path.name}" (known: ${projections.map((p) => p.name).join(", ")})`)
          )
        }
        return yield* rebuildProjection(db, projection).pipe(
          Effect.catchTag("RebuildInProgress", (error) => Effect.fail(conflict(error.message))),
          orDieOnDbError
        )
      })
    )
  })
)
