// The orders endpoints of the admin API (scope audit): an order's current view, its full log, and the
// search. Order keys contain ':' (shop-de:1001) and are taken literally or percent-encoded
// (shop-de%3A1001); a key containing '/' must be percent-encoded (%2F).
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Authentication } from "../api/Auth.js"
import { BadRequest, Forbidden, NotFound } from "../api/errors.js"
import { OrderLog } from "./log.js"
import { DISPATCH_STATES, MAX_LIMIT, ORDER_STATUSES } from "./search.js"
import { OrderSearchResult } from "./summary.js"
import { OrderView } from "./view.js"

const OrderPath = Schema.Struct({
  orderKey: Schema.String.annotations({ description: "The order key, e.g. shop-de:1001 (':' may be sent as %3A)" })
})

// A repeated parameter decodes too, so the handler can answer it with a sentence like any other mistake.
const param = (description: string) =>
  Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String)).annotations({ description }))

/** Documentation of the query string; the handler validates the raw parameters (search.ts). */
export const OrderSearchParams = Schema.Struct({
  orderKey: param("Order keys starting with this, e.g. shop-de:10 (an exact key matches itself)"),
  email: param(
    "SHA-256 (64 hex digits) of the customer's e-mail, ASCII whitespace trimmed and A-Z lower-cased; the address is never sent"
  ),
  clickId: param("A click id of the order, exact: gclid, gbraid, wbraid, fbclid, fbc or an affiliate's (awc, ...)"),
  target: param("Orders routed to this target id"),
  company: param("Brand id (exact)"),
  partner: param("Partner id (exact)"),
  market: param("Country, ISO 3166-1 alpha-2"),
  status: param(`${ORDER_STATUSES.join(" | ")}; comma-separated for several`),
  dispatchState: param(`${DISPATCH_STATES.join(" | ")}; comma-separated for several`),
  missingTracking: param("true: only orders without any click id or utm; false: only orders with some"),
  tracking: param(
    "none (no click id, no utm: missingTracking=true) | inconsistent (utm_source names Google or Meta without its click id) | ok; comma-separated for several"
  ),
  from: param("Placed at or after: ISO 8601 date or time"),
  to: param("Placed before: ISO 8601 date or time"),
  limit: param(`Page size, 1 to ${MAX_LIMIT} (default 50)`),
  cursor: param("nextCursor of the previous page")
})

export class OrdersGroup extends HttpApiGroup.make("orders")
  .add(
    HttpApiEndpoint.get("search", "/orders")
      .setUrlParams(OrderSearchParams)
      .addSuccess(OrderSearchResult)
      .addError(BadRequest)
      .addError(Forbidden)
      .annotate(
        OpenApi.Description,
        "Searches the conversions view, newest first (placed_at desc). Time range on placed_at; keyset pagination."
      )
  )
  .add(
    HttpApiEndpoint.get("view", "/orders/:orderKey")
      .setPath(OrderPath)
      .addSuccess(OrderView)
      .addError(NotFound)
      .addError(Forbidden)
      .annotate(
        OpenApi.Description,
        "The order's current view: status, value, identity, tracking, per-target dispatch state. Customer data " +
          "is masked unless the token has scope admin."
      )
  )
  .add(
    HttpApiEndpoint.get("events", "/orders/:orderKey/events")
      .setPath(OrderPath)
      .addSuccess(OrderLog)
      .addError(NotFound)
      .addError(Forbidden)
      .annotate(
        OpenApi.Description,
        "Every event about the order, oldest first (by global position): raw webhooks and redeliveries, " +
          "normalization results, rule decisions, dispatch attempts (request, response, timing), alerts and " +
          "operator actions. Raw payloads and customer data are masked unless the token has scope admin. " +
          "Example: curl -H 'Authorization: Bearer $TOKEN' http://localhost:3000/api/v1/orders/shop-de:1001/events"
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Orders") {}
