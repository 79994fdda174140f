// GET /api/v1/webhooks (scope audit). The parser's sentences are shown in clear to admin tokens only.
import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import { Effect, Either } from "effect"
import { requireScope } from "../api/Auth.js"
import { badRequest } from "../api/errors.js"
import { apiOf } from "../api/group.js"
import { orDieOnDbError } from "../db/Db.js"
import { listWebhookProblems } from "./list.js"
import { parseWebhookSearch } from "./search.js"
import { WebhookListGroup } from "./WebhooksApi.js"

export const WebhooksHttpLive = HttpApiBuilder.group(apiOf(WebhookListGroup), "webhookList", (handlers) =>
  handlers.handle("list", () =>
    Effect.gen(function* () {
      const principal = yield* requireScope("audit")
      const params = yield* HttpServerRequest.ParsedSearchParams
      const filters = parseWebhookSearch(params)
      if (Either.isLeft(filters)) return yield* Effect.fail(badRequest(filters.left))
      return yield* listWebhookProblems(filters.right, { reveal: principal.scope === "admin" })
    }).pipe(orDieOnDbError)
  )
)
