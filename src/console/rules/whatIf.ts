// What-if for a configuration file: the recent orders routed with the current configuration and with
// the file, side by side, and the ones whose targets differ. Both sides recompute the order's company
// (its source: one company, or a product map placed by the order's line items), products (the product
// mappings) and partner (the partner rules) from what the order recorded, so a difference comes from
// the file alone. Pure; the orders are read by recentOrders.
import { Schema } from "effect"
import { canonicalJson } from "../../config/diff.js"
import { LineItem, Tracking } from "../../events/CanonicalOrder.js"
import type { ConfigFile, PartnerRule, ProductMapping, Rule, Source, Target } from "../../events/configSchema.js"
import { resolveCompany } from "../../normalize/company.js"
import { partnerFor, productsOf } from "../../normalize/identity.js"
import { explain } from "../../rules/explain.js"
import type { RoutingChange, WhatIfReport } from "./schema.js"

export const RecentOrder = Schema.Struct({
  order_key: Schema.String,
  placed_at: Schema.NullOr(Schema.DateFromSelf),
  source_id: Schema.String,
  company: Schema.String,
  currency: Schema.NullOr(Schema.String),
  tracking: Tracking,
  line_items: Schema.Array(LineItem)
})
export type RecentOrder = typeof RecentOrder.Type

export interface RoutingConfig {
  readonly sources: ReadonlyMap<string, Source> | ReadonlyArray<Source>
  readonly products: ReadonlyArray<ProductMapping>
  readonly partners: ReadonlyArray<PartnerRule>
  readonly rules: ReadonlyArray<Rule>
  readonly targets: ReadonlyArray<Target>
}

export const LISTED_CHANGES = 500

const sourceOf = (config: RoutingConfig, id: string) =>
  Array.isArray(config.sources)
    ? (config.sources as ReadonlyArray<Source>).find((s) => s.id === id)
    : (config.sources as ReadonlyMap<string, Source>).get(id)

/**
 * The company the configuration's source gives the order; the recorded one when the source is gone, or
 * when its product map cannot place the order (normalization would fail then: not a routing change).
 */
const companyOf = (order: RecentOrder, config: RoutingConfig) => {
  const source = sourceOf(config, order.source_id)
  if (source === undefined) return order.company
  const resolution = resolveCompany(source.company, order.line_items, order.currency ?? "")
  return resolution._tag === "Company" ? resolution.company : order.company
}

export const routeOrder = (order: RecentOrder, config: RoutingConfig) => {
  const company = companyOf(order, config)
  const products = productsOf(order.line_items, config.products, { sourceId: order.source_id, company })
  const partner = partnerFor(order.tracking, config.partners)?.partner
  const routed = explain({ company, products, partner }, config.rules, config.targets)
  return { company, products, partner, targets: routed.targets.map((t) => t.targetId).sort() }
}

const ruleChanges = (current: ReadonlyArray<Rule>, next: ReadonlyArray<Rule>) => {
  const before = new Map(current.map((r) => [r.id, canonicalJson(r)]))
  const after = new Map(next.map((r) => [r.id, canonicalJson(r)]))
  return {
    added: [...after.keys()].filter((id) => !before.has(id)),
    removed: [...before.keys()].filter((id) => !after.has(id)),
    changed: [...after].filter(([id, json]) => before.has(id) && before.get(id) !== json).map(([id]) => id)
  }
}

export const whatIf = (
  current: RoutingConfig,
  file: ConfigFile,
  orders: ReadonlyArray<RecentOrder>,
  meta: { readonly since: Date; readonly truncated: boolean }
): WhatIfReport => {
  const next: RoutingConfig = file
  const changes: Array<RoutingChange> = []
  const byTarget = new Map<string, { gained: number; lost: number }>()
  const count = (targetId: string, field: "gained" | "lost") => {
    const entry = byTarget.get(targetId) ?? { gained: 0, lost: 0 }
    entry[field] += 1
    byTarget.set(targetId, entry)
  }
  for (const order of orders) {
    const before = routeOrder(order, current)
    const after = routeOrder(order, next)
    if (before.targets.join("\n") === after.targets.join("\n")) continue
    for (const t of after.targets) if (!before.targets.includes(t)) count(t, "gained")
    for (const t of before.targets) if (!after.targets.includes(t)) count(t, "lost")
    changes.push({
      orderKey: order.order_key,
      placedAt: order.placed_at?.toISOString() ?? null,
      company: after.company,
      partner: after.partner ?? null,
      products: after.products,
      before: before.targets,
      after: after.targets
    })
  }
  return {
    since: meta.since.toISOString(),
    examined: orders.length,
    truncated: meta.truncated,
    changed: changes.length,
    byTarget: [...byTarget]
      .map(([targetId, c]) => ({ targetId, ...c }))
      .sort((a, b) => a.targetId.localeCompare(b.targetId)),
    rules: ruleChanges(current.rules, file.rules),
    changes: changes.slice(0, LISTED_CHANGES)
  }
}
