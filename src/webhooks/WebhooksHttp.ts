// GET /api/v1/webhooks (scope audit). The parser's sentences are shown in clear to admin tokens only.
import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import { Effect, Either } from "effect"
import { Api } from "../http/Api.js"
import { requireScope } from "../http/Auth.js"
import { badRequest } from "../http/errors.js"
import { listWebhookProblems } from "./list.js"
import { parseWebhookSearch } from "./search.js"

export const WebhooksHttpLive = HttpApiBuilder.group(Api, "webhookList", (handlers) =>
  handlers.handle("list", () =>
    Effect.gen(function* () {
      const principal = yield* requireScope("audit")
      const params = yield* HttpServerRequest.ParsedSearchParams
      const filters = parseWebhookSearch(params)
      if (Either.isLeft(filters)) return yield* Effect.fail(badRequest(filters.left))
      return yield* listWebhookProblems(filters.right, { reveal: principal.scope === "admin" })
    }).pipe(Effect.catchTag("DbError", Effect.die))
  )
)
