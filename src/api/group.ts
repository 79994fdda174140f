// The API's id and its API-wide error, shared by the whole API (http/Api.ts) and each stage's
// handlers. A stage builds its group's handlers on `apiOf(Group)`, an API of that group alone with the
// same id, so it never imports the whole API (http/ imports the stages, not the other way round):
// HttpApiBuilder.group reads only the group from it and serves ApiGroup<"s2s", name>, which is what
// http/Api.ts's HttpApiBuilder.api asks for. Errors are encoded by the whole API at serve time.
import { HttpApi, type HttpApiGroup } from "@effect/platform"
import { BadRequest } from "./errors.js"

export const API_ID = "s2s"

/** An API of one group, with the API-wide errors: what a stage's handlers are built on. */
export const apiOf = <const Group extends HttpApiGroup.HttpApiGroup.Any>(group: Group) =>
  HttpApi.make(API_ID).add(group).addError(BadRequest)
