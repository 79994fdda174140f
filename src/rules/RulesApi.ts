// The rules endpoints of the admin API (scope audit): the current rule set with every rule's history,
// and the routing explanation of one order.
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Authentication } from "../api/Auth.js"
import { BadRequest, Forbidden, NotFound } from "../api/errors.js"
import { Rule } from "../events/configSchema.js"
import { PlannedTarget, RuleDecision } from "../events/dispatch.js"

export const RuleChange = Schema.Struct({
  type: Schema.Literal("RuleDefined", "RuleChanged", "RuleRemoved"),
  at: Schema.String,
  actor: Schema.NullOr(Schema.String).annotations({ description: "cli:NAME, token:ID, config-file:FILE, ..." }),
  rule: Rule.annotations({ description: "The rule as defined or changed; for a removal, as it was before" }),
  position: Schema.NullOr(Schema.Int),
  changedFields: Schema.Array(Schema.String)
}).annotations({ identifier: "RuleChange" })

export const ListedRule = Schema.Struct({
  ruleId: Schema.String,
  position: Schema.NullOr(Schema.Int),
  current: Schema.Boolean,
  rule: Rule,
  history: Schema.Array(RuleChange)
}).annotations({ identifier: "ListedRule" })

export const RulesList = Schema.Struct({
  rules: Schema.Array(ListedRule).annotations({ description: "Current rules in position order" }),
  removed: Schema.Array(ListedRule).annotations({ description: "Removed rules, by removal time" })
}).annotations({ identifier: "RulesList" })
export type RulesList = typeof RulesList.Type

export const RuleExplanation = Schema.Struct({
  orderKey: Schema.String,
  order: Schema.Struct({
    company: Schema.String,
    products: Schema.Array(Schema.String),
    partner: Schema.NullOr(Schema.String)
  }),
  status: Schema.String.annotations({ description: "The order's status; ignored orders are never dispatched" }),
  targets: Schema.Array(
    Schema.Struct({ targetId: Schema.String, channel: Schema.String, ruleId: Schema.String, specificity: Schema.Int })
  ).annotations({ description: "Where the current rules route the order" }),
  decisions: Schema.Array(
    Schema.Struct({
      ruleId: Schema.String,
      outcome: RuleDecision.fields.outcome,
      detail: Schema.String,
      exclude: Schema.Boolean,
      target: Schema.NullOr(Schema.String),
      specificity: Schema.Int
    })
  ).annotations({ description: "Every current rule's part in that, in rule order" }),
  planned: Schema.Array(
    Schema.Struct({
      recordedAt: Schema.String,
      trigger: Schema.String,
      targets: Schema.Array(PlannedTarget),
      decisions: Schema.Array(RuleDecision)
    })
  ).annotations({ description: "The decisions recorded when the order was planned (DispatchPlanned), oldest first" })
}).annotations({ identifier: "RuleExplanation" })
export type RuleExplanation = typeof RuleExplanation.Type

export class RulesGroup extends HttpApiGroup.make("rules")
  .add(
    HttpApiEndpoint.get("list", "/rules")
      .addSuccess(RulesList)
      .addError(Forbidden)
      .annotate(OpenApi.Description, "The current rules in position order, each with who changed what and when")
  )
  .add(
    HttpApiEndpoint.get("explain", "/rules/explain")
      .setUrlParams(Schema.Struct({ orderKey: Schema.optional(Schema.String) }))
      .addSuccess(RuleExplanation)
      .addError(BadRequest)
      .addError(NotFound)
      .addError(Forbidden)
      .annotate(
        OpenApi.Description,
        "Why an order goes (or would go) where: the current rules applied to it, and the decisions recorded when " +
          "it was planned. Example: /api/v1/rules/explain?orderKey=shop-de%3A1001"
      )
  )
  .middleware(Authentication)
  .prefix("/api/v1")
  .annotate(OpenApi.Title, "Rules") {}
