// The coverage page's reads, all bounded by the paid day (the conversions_paid_day index) and answered
// from the conversions view's columns and dispatch_facts (both sql/0005_projections.sql); an order's document
// is read only for the landing pages that lost a click id. Each runs without JIT (console/sql.ts).
import type { Queryable } from "../../db/Db.js"
import type { CoverageFilters } from "./schema.js"

const active = (sql: Queryable, name: string) => sql`(select active_generation from projections where name = ${name})`

/**
 * A dispatch changes only after its order is paid, so the dispatches of the orders paid in the range
 * all changed since its start (a day earlier, for a shop clock ahead of ours): the facts read scale
 * with the range, not with the history (dispatch_facts_time).
 */
const changedSince = (sql: Queryable, f: CoverageFilters) =>
  sql`x.updated_at >= ${new Date(f.from.getTime() - 86_400_000)}`

/** The paid, real orders in the range, with the optional filters. */
const paidOrders = (sql: Queryable, f: CoverageFilters) => sql`
  select c.order_key, c.company, c.market, c.partner, c.click_keys, c.consent, c.dispatch_state, c.utm_campaign,
         to_char(coalesce(c.paid_at, c.placed_at) at time zone 'UTC', 'YYYY-MM-DD') as day
  from conversions c
  where c.generation = ${active(sql, "conversions")}
    and coalesce(c.paid_at, c.placed_at) >= ${f.from} and coalesce(c.paid_at, c.placed_at) < ${f.to}
    and c.status in ('paid', 'partially_refunded', 'refunded') and not c.test and c.ignored_reason is null
    ${f.company === undefined ? sql`` : sql`and c.company = ${f.company}`}
    ${f.market === undefined ? sql`` : sql`and c.market = ${f.market}`}
    ${f.partner === undefined ? sql`` : sql`and c.partner = ${f.partner}`}`

export interface FunnelGroup {
  readonly day: string
  readonly company: string | null
  readonly market: string | null
  readonly partner: string | null
  readonly click_keys: ReadonlyArray<string>
  readonly eligible: boolean
  readonly delivered: boolean
  readonly acknowledged: boolean
  readonly n: number
}

/**
 * Orders grouped by everything the funnel needs (the click id judgement per partner is made in TS).
 * Per order, from its conversion dispatches: eligible when one was not skipped, delivered when every
 * one not skipped succeeded, acknowledged when every success was acknowledged by its platform.
 */
export const funnelGroups = (sql: Queryable, f: CoverageFilters) => sql<Array<FunnelGroup>>`
  with orders as (${paidOrders(sql, f)}),
  facts as (
    select x.order_key,
           bool_or(x.status <> 'skipped') as eligible,
           bool_and(x.status in ('succeeded', 'skipped')) as settled,
           bool_and(x.acknowledged or x.status = 'skipped') as acknowledged
    from dispatch_facts x join orders o on o.order_key = x.order_key
    where x.generation = ${active(sql, "dispatch_facts")} and x.kind = 'conversion' and ${changedSince(sql, f)}
    group by x.order_key)
  select o.day, o.company, o.market, o.partner, o.click_keys,
         coalesce(x.eligible, false) as eligible,
         coalesce(x.eligible and x.settled, false) as delivered,
         coalesce(x.eligible and x.settled and x.acknowledged, false) as acknowledged,
         count(*)::int as n
  from orders o left join facts x on x.order_key = o.order_key
  group by 1, 2, 3, 4, 5, 6, 7, 8`

const losing = (sql: Queryable, keyMap: Record<string, ReadonlyArray<string>>) => sql`
  o.partner is not null
  and not (o.click_keys && array(select jsonb_array_elements_text(${sql.json(keyMap as Record<string, Array<string>>)} -> o.partner)))`

/** Campaigns whose paid orders came from a partner but without the click id it needs, most first. */
export const lostCampaigns = (sql: Queryable, f: CoverageFilters, keyMap: Record<string, ReadonlyArray<string>>) =>
  sql<Array<{ partner: string; name: string | null; orders: number }>>`
    with orders as (${paidOrders(sql, f)})
    select o.partner, o.utm_campaign as name, count(*)::int as orders
    from orders o where ${losing(sql, keyMap)}
    group by 1, 2 order by 3 desc, 1, 2 limit 20`

/** The same by landing URL without query and fragment (the caller reduces it to host and path). */
export const lostLandingUrls = (sql: Queryable, f: CoverageFilters, keyMap: Record<string, ReadonlyArray<string>>) =>
  sql<Array<{ partner: string; url: string | null; orders: number }>>`
    with orders as (${paidOrders(sql, f)})
    select o.partner,
           split_part(split_part(c.doc #>> '{order,order,tracking,landingUrl}', '#', 1), '?', 1) as url,
           count(*)::int as orders
    from orders o join conversions c on c.generation = ${active(sql, "conversions")} and c.order_key = o.order_key
    where ${losing(sql, keyMap)}
    group by 1, 2 order by 3 desc, 1, 2 limit 200`

export interface MatchRow {
  readonly target_id: string
  readonly channel: string
  readonly sent: number
  readonly email: number
  readonly phone: number
  readonly address: number
  readonly click_id: number
  readonly ip: number
  readonly user_agent: number
  readonly granted: number
  readonly denied: number
}

/** Per target: the conversions sent (a request made) for these orders, and how many carried each identifier. */
export const matchRows = (sql: Queryable, f: CoverageFilters) => sql<Array<MatchRow>>`
  with orders as (${paidOrders(sql, f)})
  select x.target_id, min(x.channel) as channel, count(*)::int as sent,
         count(*) filter (where 'email' = any(x.identifiers))::int as email,
         count(*) filter (where 'phone' = any(x.identifiers))::int as phone,
         count(*) filter (where 'address' = any(x.identifiers))::int as address,
         count(*) filter (where 'click_id' = any(x.identifiers))::int as click_id,
         count(*) filter (where 'ip' = any(x.identifiers))::int as ip,
         count(*) filter (where 'user_agent' = any(x.identifiers))::int as user_agent,
         count(*) filter (where o.consent = 'granted')::int as granted,
         count(*) filter (where o.consent = 'denied')::int as denied
  from dispatch_facts x join orders o on o.order_key = x.order_key
  where x.generation = ${active(sql, "dispatch_facts")} and x.kind = 'conversion' and x.last_attempt_at is not null
    and ${changedSince(sql, f)}
  group by x.target_id order by x.target_id`
