// The HTTP contract: health and docs, the webhook endpoint, and the admin API under /api/v1.
// Handlers live with their stage (ingest/, orders/, rules/, ...); http/Http.ts serves it.
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { BadRequest, Unavailable } from "../api/errors.js"
import { API_ID } from "../api/group.js"
import { ConsoleGroup, ConsolePublicGroup } from "../console/api/ConsoleApi.js"
import { OperationsGroup } from "../operations/OperationsApi.js"
import { OrdersGroup } from "../orders/OrdersApi.js"
import { ProjectionsGroup } from "../projections/ProjectionsApi.js"
import { RulesGroup } from "../rules/RulesApi.js"
import { WebhookListGroup } from "../webhooks/WebhooksApi.js"

export const Health = Schema.Struct({ status: Schema.Literal("ok") })
export const Readiness = Schema.Struct({
  status: Schema.Literal("ready", "not_ready"),
  database: Schema.String,
  migrations: Schema.String,
  /** In a process that runs the worker: its pool, last job pick-up and heartbeat, and the queue. */
  worker: Schema.optional(
    Schema.Struct({
      state: Schema.String,
      pool: Schema.optional(Schema.String),
      lastJobSecondsAgo: Schema.NullOr(Schema.Number),
      heartbeatSecondsAgo: Schema.NullOr(Schema.Number),
      queuedJobs: Schema.Number,
      oldestQueuedSeconds: Schema.Number
    })
  )
})

export class HealthGroup extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("healthz", "/healthz").addSuccess(Health))
  .add(HttpApiEndpoint.get("readyz", "/readyz").addSuccess(Readiness).addError(Unavailable))
  .add(
    HttpApiEndpoint.get("metrics", "/metrics")
      .addSuccess(HttpApiSchema.Text({ contentType: "text/plain; version=0.0.4" }))
      .annotate(OpenApi.Description, "Prometheus text format")
  )
  .add(HttpApiEndpoint.get("docs", "/docs").addSuccess(Schema.Unknown).annotate(OpenApi.Exclude, true))
  .annotate(OpenApi.Title, "Health") {}

export const WebhookAccepted = Schema.Struct({ webhookId: Schema.String, duplicate: Schema.Boolean })
const SourcePath = Schema.Struct({ sourceId: Schema.String })

/** Answered by ingest/IngestFront.ts in front of the router (which serves what that does not take). */
export const ReceiveWebhook = HttpApiEndpoint.post("receive", "/webhooks/:sourceId")
  .setPath(SourcePath)
  .addSuccess(WebhookAccepted, { status: 202 })
  .annotate(
    OpenApi.Description,
    "Receives a platform webhook. Authenticated by the platform's signature (shopify, woocommerce, stripe, paddle) " +
      "or an ingest bearer token (generic). Answers 202 once the raw payload and its normalization job are committed."
  )

export class WebhooksGroup extends HttpApiGroup.make("webhooks")
  .add(ReceiveWebhook)
  .add(HttpApiEndpoint.get("receiveGet", "/webhooks/:sourceId").setPath(SourcePath).annotate(OpenApi.Exclude, true))
  .annotate(OpenApi.Title, "Webhooks") {}

export const Api = HttpApi.make(API_ID)
  .add(HealthGroup)
  .add(WebhooksGroup)
  .add(ProjectionsGroup)
  .add(OperationsGroup)
  .add(OrdersGroup)
  .add(RulesGroup)
  .add(WebhookListGroup)
  .add(ConsolePublicGroup)
  .add(ConsoleGroup)
  .addError(BadRequest)
  .annotate(OpenApi.Title, "s2s conversion tracking")
  .annotate(
    OpenApi.Description,
    "Server-to-server conversion tracking: webhooks in, Google Ads / Meta CAPI / postbacks out."
  )
