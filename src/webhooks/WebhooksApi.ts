// GET /api/v1/webhooks (scope audit): the webhooks that became no order, newest first. Normalization
// failures and refused bodies have no order key, so they are listed here rather than in the order search.
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Authentication } from "../api/Auth.js"
import { BadRequest, Forbidden } from "../api/errors.js"
import { WebhookList } from "./list.js"
import { MAX_LIMIT, WEBHOOK_REASONS, WEBHOOK_STATES } from "./search.js"

const param = (description: string) =>
  Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String)).annotations({ description }))

/** Documentation of the query string; the handler validates the raw parameters (search.ts). */
export const WebhookSearchParams = Schema.Struct({
  state: param(`${WEBHOOK_STATES.join(" | ")}; comma-separated for several (default: both)`),
  source: param("Source id (exact)"),
  reason: param(`${WEBHOOK_REASONS.join(" | ")}; comma-separated for several`),
  from: param("Recorded at or after: ISO 8601 date or time"),
  to: param("Recorded before: ISO 8601 date or time"),
  limit: param(`Page size, 1 to ${MAX_LIMIT} (default 50)`),
  cursor: param("nextCursor of the previous page")
})

export class WebhookListGroup extends HttpApiGroup.make("webhookList")
  .add(
    HttpApiEndpoint.get("list", "/webhooks")
      .setUrlParams(WebhookSearchParams)
      .addSuccess(WebhookList)
      .addError(BadRequest)
      .addError(Forbidden)
      .annotate(
        OpenApi.Description,
        "Webhooks that became no order: normalization_failed (stored, but no parser could read it; a re-run that " +
          "succeeds takes it off the list: POST /api/v1/renormalize) and rejected (a signed body refused with 400, " +
          "its raw bytes kept). Newest first, keyset pagination. Example: " +
          "curl -H 'Authorization: Bearer $TOKEN' 'http://localhost:3000/api/v1/webhooks?state=normalization_failed&source=shop-de'"
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Webhook problems") {}
