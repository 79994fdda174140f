// What a scenario asserts at the end, shared: every accepted webhook accounted for (waited for with a
// deadline), and the sends that a crash or an outage made ambiguous, to tell an allowed resend from a
// duplicate: a request the channel received whose outcome the service had not recorded.
import type postgres from "postgres"
import { type Accounting, account, orderKeyOf } from "./accounting.js"
import type { ChannelName } from "./channels.js"
import { CONVERSION_ACTION_ID, PIXEL_ID, type Rig, TARGET_IDS, TARGETS, waitUntil } from "./rig.js"

/** The fake channels' key for a target and order (see channels.ts). */
export const channelKey = (targetId: string, orderId: number | string) => {
  switch (targetId) {
    case TARGETS.google:
      return `google|${CONVERSION_ACTION_ID}|${orderId}`
    case TARGETS.meta:
      return `meta|${PIXEL_ID}|${orderId}`
    default:
      return `postback|${targetId}|${orderId}`
  }
}

/** Waits until no accepted webhook is pending; returns the accounting and how long it took (ms). */
export const settle = async (rig: Rig, timeoutMs: number): Promise<{ accounting: Accounting; ms: number }> => {
  let accounting: Accounting | undefined
  const ms = await waitUntil(
    "every accepted webhook accounted for",
    async () => {
      accounting = await account(rig.pg.sql, rig.webhooks.accepted(), TARGET_IDS)
      return accounting.fates.pending === 0
    },
    timeoutMs,
    () => `still pending: ${accounting?.pending.slice(0, 10).join(", ")} (${accounting?.pending.length} in all)`
  )
  return { accounting: accounting!, ms }
}

/** Channel keys with a recorded DispatchSucceeded, and when it was recorded (epoch ms). */
export const recordedSuccesses = async (sql: postgres.Sql): Promise<ReadonlyMap<string, number>> => {
  const rows = await sql<Array<{ order_key: string; target_id: string; at: Date }>>`
    select data->>'orderKey' as order_key, data->>'targetId' as target_id, min(recorded_at) as at
    from events where type = 'DispatchSucceeded' group by 1, 2`
  return new Map(
    rows.map((r) => [channelKey(r.target_id, r.order_key.slice(r.order_key.lastIndexOf(":") + 1)), r.at.getTime()])
  )
}

/**
 * Sends whose outcome the service does not know right now: the channel received them but no success
 * is recorded (answered and lost, or never answered). Taken while the service is down.
 */
export const ambiguousNow = async (rig: Rig): Promise<ReadonlySet<string>> => {
  const recorded = await recordedSuccesses(rig.pg.sql)
  return new Set([...rig.channels.counts().keys()].filter((key) => !recorded.has(key)))
}

export interface Duplicates {
  /** Keys (channel|target|order) requested more than once, per channel. */
  readonly byChannel: Record<ChannelName, ReadonlyArray<string>>
  /** Requests beyond the first, per channel. */
  readonly extraRequests: Record<ChannelName, number>
  /**
   * Keys sent again after their success was recorded: a resend the service had no reason for (never
   * allowed). Every other repeat followed an attempt whose outcome a fault had lost (ambiguous).
   */
  readonly afterRecordedSuccess: ReadonlyArray<string>
}

export const duplicates = async (rig: Rig): Promise<Duplicates> => {
  const succeeded = await recordedSuccesses(rig.pg.sql)
  const byChannel: Record<ChannelName, Array<string>> = { meta: [], google: [], postback: [] }
  const extraRequests: Record<ChannelName, number> = { meta: 0, google: 0, postback: 0 }
  for (const { key, count } of rig.channels.duplicates()) {
    const channel = key.split("|")[0] as ChannelName
    byChannel[channel].push(key)
    extraRequests[channel] += count - 1
  }
  const afterRecordedSuccess = [
    ...new Set(
      rig.channels.requests
        .filter((r) => {
          const at = succeeded.get(`${r.channel}|${r.target}|${r.order}`)
          return at !== undefined && r.at > at
        })
        .map((r) => `${r.channel}|${r.target}|${r.order}`)
    )
  ]
  return { byChannel, extraRequests, afterRecordedSuccess }
}

export { orderKeyOf }
