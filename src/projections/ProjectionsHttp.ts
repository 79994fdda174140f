// POST /api/v1/projections/{name}/rebuild (scope operate): rebuilds beside the live view, swaps
// atomically, answers with what differed.
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Db } from "../db/Db.js"
import { Api } from "../http/Api.js"
import { requireScope } from "../http/Auth.js"
import { conflict, notFound } from "../http/errors.js"
import { Projections } from "./Projector.js"
import { RebuildInProgress, rebuild } from "./rebuild.js"

export const ProjectionsHttpLive = HttpApiBuilder.group(Api, "projections", (handlers) =>
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
        return yield* Effect.tryPromise({
          try: () => rebuild(db.sql, projection),
          catch: (error) => error
        }).pipe(
          Effect.catchAll((error) =>
            error instanceof RebuildInProgress ? Effect.fail(conflict(error.message)) : Effect.die(error)
          )
        )
      })
    )
  })
)
