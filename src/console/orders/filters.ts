// What the filter forms offer: sources, targets and partners from the configuration, companies and
// markets as the conversions view has seen them (a small distinct read over its indexes). A source's
// company is one id or a product map to several (every company the map names is offered).
import type { ConfigSnapshot } from "../../config/state.js"
import type { Queryable } from "../../db/Db.js"
import type { FilterOptions } from "../api/schemas.js"

export const filterOptions = async (sql: Queryable, config: ConfigSnapshot): Promise<FilterOptions> => {
  const rows = await sql<Array<{ kind: string; value: string }>>`
    with active as (select active_generation as g from projections where name = 'conversions')
    select 'company' as kind, company as value from conversions, active
      where generation = active.g and company is not null group by company
    union all
    select 'market', market from conversions, active
      where generation = active.g and market is not null group by market`
  const seen = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.value)
  const sorted = (values: Iterable<string>) => [...new Set(values)].sort()
  return {
    companies: sorted([
      ...seen("company"),
      ...[...config.sources.values()].flatMap((s) =>
        typeof s.company === "string" ? [s.company] : Object.values(s.company)
      )
    ]),
    markets: sorted(seen("market")),
    partners: sorted(config.partners.map((p) => p.id)),
    targets: sorted(config.targets.keys()),
    sources: sorted(config.sources.keys())
  }
}
