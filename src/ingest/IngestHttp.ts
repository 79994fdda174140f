// The webhooks group: POST hands the raw request to Ingest (the body is read here, from the stream,
// never decoded by the framework, so signatures see the exact bytes); GET answers 405.
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Effect, Option } from "effect"
import { errorResponse } from "../api/errors.js"
import { Api } from "../http/Api.js"
import { Ingest } from "./Ingest.js"
import { outcomeResponse } from "./outcome.js"

export const IngestHttpLive = HttpApiBuilder.group(Api, "webhooks", (handlers) =>
  Effect.gen(function* () {
    const ingest = yield* Ingest
    return handlers
      .handleRaw("receive", ({ path, request }) =>
        ingest
          .receive({
            sourceId: path.sourceId,
            message: NodeHttpServerRequest.toIncomingMessage(request),
            remoteAddress: Option.getOrUndefined(request.remoteAddress)
          })
          .pipe(
            Effect.map((outcome) => {
              const { status, body, headers } = outcomeResponse(outcome)
              return HttpServerResponse.unsafeJson(body, { status, headers })
            })
          )
      )
      .handleRaw("receiveGet", () =>
        Effect.succeed(errorResponse(405, "method_not_allowed", "webhooks are delivered with POST", { allow: "POST" }))
      )
  })
)
