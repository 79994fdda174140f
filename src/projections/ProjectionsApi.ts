// The projections group of the admin API: rebuild one projection (scope admin).
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Authentication } from "../api/Auth.js"
import { Conflict, Forbidden, NotFound } from "../api/errors.js"

export const RebuildReport = Schema.Struct({
  projection: Schema.String,
  fromGeneration: Schema.Int,
  toGeneration: Schema.Int,
  events: Schema.Int,
  rows: Schema.Int,
  added: Schema.Int,
  removed: Schema.Int,
  changed: Schema.Int,
  samples: Schema.Array(Schema.Struct({ key: Schema.String, change: Schema.String })),
  durationMs: Schema.Number
})

export class ProjectionsGroup extends HttpApiGroup.make("projections")
  .add(
    HttpApiEndpoint.post("rebuild", "/projections/:name/rebuild")
      .setPath(Schema.Struct({ name: Schema.String }))
      .addSuccess(RebuildReport)
      .addError(NotFound)
      .addError(Conflict)
      .addError(Forbidden)
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Projections") {}
