// Prometheus metrics (prom-client): one registry per process, rendered at GET /metrics.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client"

export const registry = new Registry()
collectDefaultMetrics({ register: registry, prefix: "s2s_" })

/**
 * `route` is never a raw path: the matched route's path template (http/routeLabel.ts: `/webhooks/:sourceId`,
 * `/api/v1/orders/:orderKey`), `other` when no route matched, `refused` for what http/guard.ts refuses
 * before any routing.
 */
export const httpRequests = new Counter({
  name: "s2s_http_requests_total",
  help: "HTTP requests by route, method and status",
  labelNames: ["route", "method", "status"] as const,
  registers: [registry]
})

export const httpDuration = new Histogram({
  name: "s2s_http_request_duration_seconds",
  help: "HTTP request duration",
  labelNames: ["route"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry]
})

export const jobsTotal = new Counter({
  name: "s2s_jobs_total",
  help: "Worker jobs by task and outcome",
  labelNames: ["task", "outcome"] as const,
  registers: [registry]
})

export const jobDuration = new Histogram({
  name: "s2s_job_duration_seconds",
  help: "Worker job duration by task",
  labelNames: ["task"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry]
})

export const projectionLagEvents = new Gauge({
  name: "s2s_projection_lag_events",
  help: "Events committed but not yet applied, per projection",
  labelNames: ["projection"] as const,
  registers: [registry]
})

export const projectionLagSeconds = new Gauge({
  name: "s2s_projection_lag_seconds",
  help: "Age of the oldest event not yet applied, per projection (0 when caught up)",
  labelNames: ["projection"] as const,
  registers: [registry]
})

export const webhooksTotal = new Counter({
  name: "s2s_webhooks_total",
  help: "Webhook requests by source and outcome",
  labelNames: ["source", "outcome"] as const,
  registers: [registry]
})

export const dispatchesTotal = new Counter({
  name: "s2s_dispatches_total",
  help: "Dispatch attempts by channel and outcome",
  labelNames: ["channel", "outcome"] as const,
  registers: [registry]
})

export const workerRestarts = new Counter({
  name: "s2s_worker_restarts_total",
  help: "Worker pools that stopped on their own (the database went away under them) and were replaced",
  registers: [registry]
})

export const workerJobsReleased = new Counter({
  name: "s2s_worker_jobs_released_total",
  help: "Jobs unlocked by this process because the worker pool holding them was gone (reason: silent = no heartbeat within WORKER_DEAD_AFTER_MS; stopped = a pool of this process that ended)",
  labelNames: ["reason"] as const,
  registers: [registry]
})

export const dispatchAmbiguousTotal = new Counter({
  name: "s2s_dispatch_ambiguous_total",
  help: "Dispatch attempts whose outcome was unknown (no answer, or lost in a crash or a pause), by channel and what was done: resend (the destination deduplicates, or onAmbiguous: resend), hold (an operator decides), operator (sent again by an operator's re-dispatch)",
  labelNames: ["channel", "resolution"] as const,
  registers: [registry]
})

export const normalizationFailuresTotal = new Counter({
  name: "s2s_normalization_failures_total",
  help: "Webhooks recorded as NormalizationFailed, by source and reason (invalid_json, not_utf8, missing_field, invalid_field, unknown_source)",
  labelNames: ["source", "reason"] as const,
  registers: [registry]
})

export const webhooksRejectedTotal = new Counter({
  name: "s2s_webhooks_rejected_total",
  help: "Signed webhooks refused with 400 and recorded as WebhookRejected, by source and reason (invalid_json, not_utf8, invalid_payload)",
  labelNames: ["source", "reason"] as const,
  registers: [registry]
})
