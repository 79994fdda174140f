// /healthz (the process is up), /readyz (the database answers and every bundled migration is
// applied), /metrics (Prometheus), /docs (the OpenAPI document; for browsers Swagger UI, served from
// the package itself: docsAssets.ts).
import { HttpApiBuilder, HttpServerResponse, OpenApi } from "@effect/platform"
import { Effect } from "effect"
import { Db, type DbService } from "../db/Db.js"
import { pendingMigrations } from "../db/Migrator.js"
import { Api } from "./Api.js"
import { docsPage } from "./docsAssets.js"
import { unavailable } from "./errors.js"
import { metricsContentType, renderMetrics } from "./metrics.js"

/** Ready: the database answers and every bundled migration is applied (also served by WorkerHealth). */
export const readiness = (db: DbService) =>
  db
    .run("Health.readyz", (sql) => pendingMigrations(sql))
    .pipe(
      Effect.timeout("3 seconds"),
      Effect.tapError((error) => Effect.logDebug("readiness check failed", error)),
      Effect.mapError(() => unavailable("the database does not answer")),
      Effect.flatMap((pending) =>
        pending.length === 0
          ? Effect.succeed({ status: "ready" as const, database: "ok", migrations: "current" })
          : Effect.fail(unavailable(`migrations not applied: ${pending.join(", ")}`))
      )
    )

export const HealthHttpLive = HttpApiBuilder.group(Api, "health", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    const spec = OpenApi.fromApi(Api)
    return handlers
      .handle("healthz", () => Effect.succeed({ status: "ok" as const }))
      .handle("readyz", () => readiness(db))
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
