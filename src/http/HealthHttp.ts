// /healthz (the process is up), /readyz (the database answers and every bundled migration is
// applied), /metrics (Prometheus), /docs (the OpenAPI document; Swagger UI for browsers).
import { HttpApiBuilder, HttpServerResponse, OpenApi } from "@effect/platform"
import { Effect } from "effect"
import { Db } from "../db/Db.js"
import { pendingMigrations } from "../db/Migrator.js"
import { registry } from "../lib/metrics.js"
import { Api } from "./Api.js"
import { unavailable } from "./errors.js"

const swaggerPage = `<!doctype html><html><head><meta charset="utf-8"><title>s2s API</title>
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="ui"></div><script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: "/docs?format=json", dom_id: "#ui" })</script></body></html>`

export const HealthHttpLive = HttpApiBuilder.group(Api, "health", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    const spec = OpenApi.fromApi(Api)
    return handlers
      .handle("healthz", () => Effect.succeed({ status: "ok" as const }))
      .handle("readyz", () =>
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
      )
      .handleRaw("metrics", () =>
        Effect.promise(() => registry.metrics()).pipe(
          Effect.map((text) => HttpServerResponse.text(text, { contentType: registry.contentType }))
        )
      )
      .handleRaw("docs", ({ request }) =>
        Effect.sync(() => {
          const wantsHtml = !request.url.includes("format=json") && (request.headers.accept ?? "").includes("text/html")
          return wantsHtml ? HttpServerResponse.html(swaggerPage) : HttpServerResponse.unsafeJson(spec)
        })
      )
  })
)
