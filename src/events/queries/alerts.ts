// Reads of the alert streams straight from the log.
import type { Queryable } from "../../db/Db.js"

export interface RaisedAlertRow {
  readonly order_key: string
  readonly problem: string
  readonly target_id: string | null
  readonly campaign: string | null
  /** "sent", the reason it was held back (a repeat waits for the digest), or null while pending. */
  readonly slack: string | null
}

/**
 * The alerts raised about these orders, oldest first, with the outcome of their Slack delivery.
 * Problem, target and campaign only: an alert's summary and details may name the customer.
 */
export const raisedAlertsNaming = (sql: Queryable, orderKeys: ReadonlyArray<string>) =>
  sql<Array<RaisedAlertRow>>`
    select r.data->>'orderKey' as order_key, r.data->>'problem' as problem, r.data->>'targetId' as target_id,
           r.data->>'campaign' as campaign,
           (select case when s.type = 'AlertSent' then 'sent' else s.data->>'reason' end from events s
            where s.stream_id = r.stream_id and s.type in ('AlertSent', 'AlertSuppressed')
            order by s.global_position limit 1) as slack
    from events r
    where r.type = 'AlertRaised' and r.stream_id like 'alert-%' and r.data ? 'orderKey'
      and (r.data->>'orderKey') = any(${orderKeys as Array<string>}::text[])
    order by r.global_position`
