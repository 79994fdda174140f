// /healthz (the process is up), /readyz (the database answers and every bundled migration is
// applied), /metrics (Prometheus), /docs (the OpenAPI document; for browsers Swagger UI, served from
// the package itself: docsAssets.ts).
import { HttpApiBuilder, HttpServerResponse, OpenApi } from "@effect/platform"
import { Effect, Option } from "effect"
import { unavailable } from "../api/errors.js"
import { Db, type DbService, withinDeadline } from "../db/Db.js"
import { pendingMigrations } from "../db/Migrator.js"
import { HeartbeatConfig } from "../jobs/Heartbeat.js"
import { judgeWorker, queuedJobs } from "../jobs/readiness.js"
import { WorkerStatus, type WorkerStatusService } from "../jobs/WorkerStatus.js"
import { Api } from "./Api.js"
import { docsPage } from "./docsAssets.js"
import { metricsContentType, renderMetrics } from "./metrics.js"

/**
 * Ready: the database answers, every bundled migration is applied, and, in a process that runs the
 * worker, its pool is taking jobs (jobs/readiness.ts). Also served by WorkerHealth.
 */
export const readiness = (db: DbService, worker: Option.Option<WorkerStatusService>, stallMs: number) =>
  db
    .query("Health.readyz", (sql) =>
      Promise.all([pendingMigrations(sql), Option.isSome(worker) ? queuedJobs(sql) : Promise.resolve(undefined)])
    )
    .pipe(
      // At the deadline even when the server has stopped answering (db/run.ts).
      withinDeadline("3 seconds"),
      Effect.tapError((error) => Effect.logDebug("readiness check failed", error)),
      Effect.mapError(() => unavailable("the database does not answer")),
      Effect.flatMap(([pending, queue]) => {
        if (pending.length > 0) return Effect.fail(unavailable(`migrations not applied: ${pending.join(", ")}`))
        const ready = { status: "ready" as const, database: "ok", migrations: "current" }
        if (Option.isNone(worker) || queue === undefined) return Effect.succeed(ready)
        const verdict = judgeWorker(worker.value.snapshot(), queue, stallMs, Date.now())
        return verdict._tag === "Ready"
          ? Effect.succeed({ ...ready, worker: verdict.worker })
          : Effect.fail(unavailable(verdict.reason))
      })
    )

/** readiness() with this process's worker (if it runs one) and the stall limit from the environment. */
export const makeReadiness = Effect.gen(function* () {
  const db = yield* Db
  const worker = yield* Effect.serviceOption(WorkerStatus)
  const { deadAfterMs } = yield* HeartbeatConfig
  return readiness(db, worker, deadAfterMs)
})

export const HealthHttpLive = HttpApiBuilder.group(Api, "health", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    const ready = yield* makeReadiness
    const spec = OpenApi.fromApi(Api)
    return handlers
      .handle("healthz", () => Effect.succeed({ status: "ok" as const }))
      .handle("readyz", () => ready)
      .handleRaw("metrics", () =>
        renderMetrics(db).pipe(Effect.map((text) => HttpServerResponse.text(text, { contentType: metricsContentType })))
      )
      .handleRaw("docs", ({ request }) =>
        Effect.sync(() => {
          const wantsHtml = !request.url.includes("format=json") && (request.headers.accept ?? "").includes("text/html")
          return wantsHtml
            ? HttpServerResponse.text(docsPage, { contentType: "text/html; charset=utf-8" })
            : HttpServerResponse.unsafeJson(spec)
        })
      )
  })
)
