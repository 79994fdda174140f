// The console's JSON API under /console/api: what its pages call, with the session cookie (see
// session/ConsoleAuth.ts). Left out of /docs: it serves the console and may change with it; scripts
// use /api/v1 with a bearer token. The public group holds what works without a session: log-in and
// the signed links of Slack alerts.
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { BadRequest, Forbidden, NotFound, Unauthorized } from "../../api/errors.js"
import { RedispatchBody, RedispatchReport, RenormalizeBody, RenormalizeReport } from "../../operations/schemas.js"
import { OrderSearchResult } from "../../orders/summary.js"
import { RuleExplanation, RulesList } from "../../rules/RulesApi.js"
import { Attention } from "../attention/schema.js"
import { Coverage } from "../coverage/schema.js"
import { QueueHealth } from "../queue/schema.js"
import { WhatIfBody, WhatIfReport } from "../rules/schema.js"
import { ConsoleAuth } from "../session/ConsoleAuth.js"
import { CsrfRejected, LinkRefused } from "./errors.js"
import { Done, FilterOptions, LinkedOrder, LoginBody, OrderDetail, RevealBody, SessionInfo } from "./schemas.js"

const optional = Schema.optional(Schema.String)

export class ConsolePublicGroup extends HttpApiGroup.make("consolePublic")
  .add(
    HttpApiEndpoint.post("login", "/login")
      .setPayload(LoginBody)
      .addSuccess(SessionInfo)
      .addError(Unauthorized)
      .addError(Forbidden)
      .addError(CsrfRejected)
  )
  .add(
    HttpApiEndpoint.get("link", "/link")
      .setUrlParams(Schema.Struct({ order: optional, exp: optional, sig: optional }))
      .addSuccess(LinkedOrder)
      .addError(LinkRefused)
      .addError(NotFound)
  )
  .prefix("/console/api")
  .annotate(OpenApi.Exclude, true) {}

const OrderKeyParam = Schema.Struct({ orderKey: optional })

export class ConsoleGroup extends HttpApiGroup.make("console")
  .add(HttpApiEndpoint.get("session", "/session").addSuccess(SessionInfo))
  .add(HttpApiEndpoint.post("logout", "/logout").addSuccess(Done))
  .add(HttpApiEndpoint.get("filters", "/filters").addSuccess(FilterOptions))
  .add(HttpApiEndpoint.get("orders", "/orders").addSuccess(OrderSearchResult).addError(BadRequest))
  .add(
    HttpApiEndpoint.get("order", "/order")
      .setUrlParams(OrderKeyParam)
      .addSuccess(OrderDetail)
      .addError(BadRequest)
      .addError(NotFound)
  )
  .add(
    HttpApiEndpoint.post("reveal", "/order/reveal")
      .setPayload(RevealBody)
      .addSuccess(OrderDetail)
      .addError(Forbidden)
      .addError(NotFound)
  )
  .add(HttpApiEndpoint.get("attention", "/attention").addSuccess(Attention))
  .add(
    HttpApiEndpoint.post("redispatch", "/redispatch")
      .setPayload(RedispatchBody)
      .addSuccess(RedispatchReport)
      .addError(Forbidden)
      .addError(BadRequest)
  )
  .add(
    HttpApiEndpoint.post("renormalize", "/renormalize")
      .setPayload(RenormalizeBody)
      .addSuccess(RenormalizeReport)
      .addError(Forbidden)
      .addError(BadRequest)
  )
  .add(HttpApiEndpoint.get("rules", "/rules").addSuccess(RulesList))
  .add(
    HttpApiEndpoint.get("explain", "/rules/explain")
      .setUrlParams(OrderKeyParam)
      .addSuccess(RuleExplanation)
      .addError(BadRequest)
      .addError(NotFound)
  )
  .add(
    HttpApiEndpoint.post("whatIf", "/rules/what-if")
      .setPayload(WhatIfBody)
      .addSuccess(WhatIfReport)
      .addError(BadRequest)
  )
  .add(
    HttpApiEndpoint.get("coverage", "/coverage")
      .setUrlParams(
        Schema.Struct({ from: optional, to: optional, company: optional, market: optional, partner: optional })
      )
      .addSuccess(Coverage)
      .addError(BadRequest)
  )
  .add(HttpApiEndpoint.get("queue", "/queue").addSuccess(QueueHealth))
  .middleware(ConsoleAuth)
  .prefix("/console/api")
  .annotate(OpenApi.Exclude, true) {}
