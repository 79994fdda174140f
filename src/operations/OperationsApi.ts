// The operations group of the admin API (scope operate): re-dispatch and re-normalization, dry runs by
// default. Bodies are decoded by the handlers (OperationsHttp.ts) so a malformed one is answered with
// the API's {"error","message"} shape; the schemas here document them.
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Authentication } from "../api/Auth.js"
import { Forbidden } from "../api/errors.js"
import {
  RedispatchBody,
  RedispatchReport,
  RenormalizeBody,
  RenormalizeReport,
  ReplanBody,
  ReplanReport
} from "./schemas.js"

export class OperationsGroup extends HttpApiGroup.make("operations")
  .add(
    HttpApiEndpoint.post("redispatch", "/redispatch")
      .setPayload(RedispatchBody)
      .addSuccess(RedispatchReport)
      .addError(Forbidden)
      .annotate(
        OpenApi.Description,
        "Re-dispatches conversions from history. A dry run (the default) lists per (order, target, kind) the current " +
          "state and what would be sent; dryRun: false records DispatchRequested and enqueues the dispatch. A target " +
          "that already succeeded is only sent again with force: true, with the same deduplication key."
      )
  )
  .add(
    HttpApiEndpoint.post("renormalize", "/renormalize")
      .setPayload(RenormalizeBody)
      .addSuccess(RenormalizeReport)
      .addError(Forbidden)
      .annotate(
        OpenApi.Description,
        "Re-runs normalization with the current parsers and configuration. A dry run (the default) shows what would " +
          "change; dryRun: false requests a re-run only for webhooks whose result would change."
      )
  )
  .add(
    HttpApiEndpoint.post("replan", "/replan")
      .setPayload(ReplanBody)
      .addSuccess(ReplanReport)
      .addError(Forbidden)
      .annotate(
        OpenApi.Description,
        "Routes already-normalized orders again with the current rules, targets and partners (after a configuration " +
          "fix). A dry run (the default) lists the (order, target) conversions never planned that the current " +
          "configuration routes to; dryRun: false records one DispatchPlanned per order and enqueues the dispatches. " +
          "Pairs with any dispatch history are left alone, so a second run plans nothing."
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Operations") {}
