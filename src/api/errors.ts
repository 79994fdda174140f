// The API's error bodies: always {"error": "<code>", "message": "<human sentence>"}. Plain Schema
// classes (not TaggedError) so the encoded body carries exactly those two fields; handlers fail with
// them through Effect.fail.
import { HttpApiSchema, HttpServerResponse } from "@effect/platform"
import { Schema } from "effect"

// Each class carries its own literal code: the error union is encoded by structure, so with a plain
// string code every error would match the first class in it and answer with that class's status.
const fields = <Code extends string>(code: Code) => ({ error: Schema.Literal(code), message: Schema.String })

export class BadRequest extends Schema.Class<BadRequest>("BadRequest")(
  fields("bad_request"),
  HttpApiSchema.annotations({ status: 400 })
) {}
export class Unauthorized extends Schema.Class<Unauthorized>("Unauthorized")(
  fields("unauthorized"),
  HttpApiSchema.annotations({ status: 401 })
) {}
/** A valid token whose scope does not cover the endpoint (RFC 6750's insufficient_scope). */
export class Forbidden extends Schema.Class<Forbidden>("Forbidden")(
  fields("insufficient_scope"),
  HttpApiSchema.annotations({ status: 403 })
) {}
export class NotFound extends Schema.Class<NotFound>("NotFound")(
  fields("not_found"),
  HttpApiSchema.annotations({ status: 404 })
) {}
export class Conflict extends Schema.Class<Conflict>("Conflict")(
  fields("conflict"),
  HttpApiSchema.annotations({ status: 409 })
) {}
export class Unavailable extends Schema.Class<Unavailable>("Unavailable")(
  fields("unavailable"),
  HttpApiSchema.annotations({ status: 503 })
) {}

export const badRequest = (message: string) => new BadRequest({ error: "bad_request", message })
export const unauthorized = (message = "a valid bearer token is required") =>
  new Unauthorized({ error: "unauthorized", message })
export const forbidden = (message: string) => new Forbidden({ error: "insufficient_scope", message })
export const notFound = (message: string) => new NotFound({ error: "not_found", message })
export const conflict = (message: string) => new Conflict({ error: "conflict", message })
export const unavailable = (message: string) => new Unavailable({ error: "unavailable", message })

/** A raw JSON error response (for handlers that build their own response, like the webhook endpoint). */
export const errorResponse = (status: number, error: string, message: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson({ error, message }, { status, headers })
