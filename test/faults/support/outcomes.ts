// What a scenario asserts at the end, shared: every accepted webhook accounted for (waited for with a
// deadline), and every request the fake channels received checked against the attempts the service
// recorded: each request had its intent (DispatchAttemptStarted) recorded first, a postback is never
// received twice, and a Meta or Google order is received again only as a recorded resend of an
// attempt whose outcome was unknown (an intent left without an outcome, or a request without answer).
import type postgres from "postgres"
import { expect } from "vitest"
import { webhookStream } from "../../../src/events/streams.js"
import { type Accounting, account, orderKeyOf, webhookIdOf } from "./accounting.js"
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
    async () =>
      `still pending: ${accounting?.pending.slice(0, 10).join(", ")} (${accounting?.pending.length} in all)\n` +
      (await diagnose(rig, accounting?.pending ?? []))
  )
  return { accounting: accounting!, ms }
}

/**
 * Why pairs are still pending, for the failure message (a fault test that fails in CI must explain
 * itself): each order's recorded events, its jobs and dispatch leases, and the service's warnings.
 */
const diagnose = async (rig: Rig, pending: ReadonlyArray<string>): Promise<string> => {
  const orders = [...new Set(pending.map((p) => p.slice(0, p.indexOf("|"))))].slice(0, 3)
  const parts: Array<string> = []
  try {
    for (const orderKey of orders) {
      const events = await rig.pg.sql<Array<{ type: string; target: string | null; at: Date }>>`
        select type, data->>'targetId' as target, recorded_at as at from events
        where stream_id = ${`order-${orderKey}`} order by stream_version`
      const jobs = await rig.pg.sql<
        Array<{
          task: string
          key: string | null
          run_in_ms: number
          attempts: number
          last_error: string | null
          locked_by: string | null
        }>
      >`
        select t.identifier as task, j.key, (extract(epoch from j.run_at - now()) * 1000)::int as run_in_ms, j.attempts,
               left(j.last_error, 300) as last_error, j.locked_by
        from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
        where j.payload::text like ${`%${orderKey}%`}`
      const leases = await rig.pg.sql<Array<{ dispatch_key: string; expires_in_ms: number; pool_id: string | null }>>`
        select dispatch_key, (extract(epoch from expires_at - now()) * 1000)::int as expires_in_ms, pool_id
        from dispatch_leases where dispatch_key like ${`${orderKey}|%`}`
      parts.push(
        `${orderKey}: events ${events.map((e) => `${e.type}${e.target ? `(${e.target})` : ""}`).join(", ")}; ` +
          `jobs ${JSON.stringify(jobs)}; leases ${JSON.stringify(leases)}`
      )
    }
  } catch (error) {
    parts.push(`(the database could not be read: ${String(error)})`)
  }
  const warnings = rig.service.lines
    .filter(
      (l) => /WARN|ERROR|FATAL/.test(String(l.json?.logLevel ?? l.text)) || orders.some((o) => l.text.includes(o))
    )
    .slice(-25)
    .map((l) => `  ${new Date(l.at).toISOString()} ${l.text.slice(0, 400)}`)
  return `${parts.join("\n")}\nthe service's warnings and lines about these orders:\n${warnings.join("\n")}`
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

/** One (order, target)'s recorded attempts, as the audit reads them from the order's stream. */
interface PairAttempts {
  /** Attempt numbers with an intent. */
  readonly intents: Set<number>
  /** Attempt numbers with a DispatchAttempted (the request's outcome, whatever it was). */
  readonly outcomes: Set<number>
  /** Attempt numbers whose DispatchFailed says the request may have arrived (no answer). */
  readonly noResponse: Set<number>
  /** Intents that re-send an earlier attempt: [attempt, resendOf]. */
  readonly resends: Array<readonly [number, number]>
  /** Attempts held (DispatchHeld). */
  readonly held: Set<number>
}

export interface ChannelAudit {
  /** Requests the fake received. */
  readonly requests: number
  /** Requests beyond the first per (order, target): a postback's must be 0. */
  readonly repeats: number
  /** Attempts whose outcome was unknown: intents without an outcome, plus requests without answer. */
  readonly ambiguous: number
  /** Of those, intents without an outcome (the process died or lost the record) and requests without answer. */
  readonly outcomeLost: number
  readonly noResponse: number
  /** Recorded resends (DispatchAttemptStarted with resendOf), each of an earlier ambiguous attempt. */
  readonly resends: number
  /** Ambiguous attempts held for an operator (with onAmbiguous: hold, the postbacks'). */
  readonly held: number
}

export interface SendAudit {
  readonly byChannel: Record<ChannelName, ChannelAudit>
  /** Keys whose requests at the fake outnumber their recorded intents: a send without an intent. */
  readonly sentWithoutIntent: ReadonlyArray<string>
  /** Keys received more often than one plus their recorded resends: a repeat the service did not record as one. */
  readonly unrecordedRepeats: ReadonlyArray<string>
  /** Resends whose `resendOf` is not an earlier attempt left without a known outcome: `key#attempt`. */
  readonly unmatchedResends: ReadonlyArray<string>
  /**
   * Ambiguous attempts not resolved as their destination requires, `key#attempt`: Meta's and Google's
   * must be resent exactly once, a postback's (onAmbiguous: hold) held and never resent.
   */
  readonly unresolved: ReadonlyArray<string>
  /** Postback keys received more than once: duplicate postbacks. */
  readonly duplicatePostbacks: ReadonlyArray<string>
}

const channelOf = (key: string) => key.split("|")[0] as ChannelName

/**
 * Checks every request the fake channels received against the attempts recorded on the order
 * streams (read from the event log with the owner's login), and counts the ambiguous attempts and
 * what became of them, per channel.
 */
export const auditSends = async (rig: Rig): Promise<SendAudit> => {
  const rows = await rig.pg.sql<
    Array<{
      type: string
      order_key: string
      target_id: string
      attempt: number
      resend_of: number | null
      outcome_unknown: boolean | null
    }>
  >`
    select type, data->>'orderKey' as order_key, data->>'targetId' as target_id, (data->>'attempt')::int as attempt,
           (data->>'resendOf')::int as resend_of, (data->>'outcomeUnknown')::boolean as outcome_unknown
    from events
    where stream_id like 'order-%' and data->>'kind' = 'conversion'
      and type in ('DispatchAttemptStarted', 'DispatchAttempted', 'DispatchFailed', 'DispatchHeld', 'DispatchSkipped')
    order by global_position`
  const pairs = new Map<string, PairAttempts>()
  for (const r of rows) {
    if (!TARGET_IDS.includes(r.target_id as (typeof TARGET_IDS)[number])) continue
    const key = channelKey(r.target_id, r.order_key.slice(r.order_key.lastIndexOf(":") + 1))
    let pair = pairs.get(key)
    if (pair === undefined) {
      pair = { intents: new Set(), outcomes: new Set(), noResponse: new Set(), resends: [], held: new Set() }
      pairs.set(key, pair)
    }
    if (r.type === "DispatchAttemptStarted") {
      pair.intents.add(r.attempt)
      if (r.resend_of !== null) pair.resends.push([r.attempt, r.resend_of])
    } else if (r.type === "DispatchAttempted") pair.outcomes.add(r.attempt)
    // A skip the adapter decided before any request records no DispatchAttempted (and no attempt
    // number): it is the outcome of the intent before it.
    else if (r.type === "DispatchSkipped" && pair.intents.size > 0) pair.outcomes.add(Math.max(...pair.intents))
    else if (r.type === "DispatchFailed" && r.outcome_unknown === true) pair.noResponse.add(r.attempt)
    else if (r.type === "DispatchHeld") pair.held.add(r.attempt)
  }
  const counts = rig.channels.counts()
  const empty = (): ChannelAudit => ({
    requests: 0,
    repeats: 0,
    ambiguous: 0,
    outcomeLost: 0,
    noResponse: 0,
    resends: 0,
    held: 0
  })
  const byChannel: Record<ChannelName, ChannelAudit> = { meta: empty(), google: empty(), postback: empty() }
  const add = (channel: ChannelName, figures: Partial<ChannelAudit>) => {
    const current = byChannel[channel] as Record<keyof ChannelAudit, number>
    for (const [k, v] of Object.entries(figures)) current[k as keyof ChannelAudit] += v
  }
  const sentWithoutIntent: Array<string> = []
  const unrecordedRepeats: Array<string> = []
  const unmatchedResends: Array<string> = []
  const unresolved: Array<string> = []
  const duplicatePostbacks: Array<string> = []
  for (const key of new Set([...counts.keys(), ...pairs.keys()])) {
    const channel = channelOf(key)
    const received = counts.get(key) ?? 0
    const pair = pairs.get(key) ?? {
      intents: new Set<number>(),
      outcomes: new Set<number>(),
      noResponse: new Set<number>(),
      resends: [],
      held: new Set<number>()
    }
    const lost = [...pair.intents].filter((a) => !pair.outcomes.has(a))
    // Held for want of an answer (no_response) has an outcome recorded, but an unknown one.
    const unknown = new Set([...lost, ...pair.noResponse, ...pair.held])
    for (const [attempt, of] of pair.resends)
      if (!(of < attempt && unknown.has(of))) unmatchedResends.push(`${key}#${attempt}`)
    for (const attempt of unknown) {
      const resent = pair.resends.filter(([, of]) => of === attempt).length
      const resolved = channel === "postback" ? pair.held.has(attempt) && resent === 0 : resent === 1
      if (!resolved) unresolved.push(`${key}#${attempt}`)
    }
    if (received > pair.intents.size) sentWithoutIntent.push(key)
    if (received > 1 + pair.resends.length) unrecordedRepeats.push(key)
    if (channel === "postback" && received > 1) duplicatePostbacks.push(key)
    add(channel, {
      requests: received,
      repeats: Math.max(0, received - 1),
      ambiguous: unknown.size,
      outcomeLost: lost.length,
      noResponse: pair.noResponse.size,
      resends: pair.resends.length,
      held: pair.held.size
    })
  }
  return { byChannel, sentWithoutIntent, unrecordedRepeats, unmatchedResends, unresolved, duplicatePostbacks }
}

/** One line per channel for a scenario's report. */
export const describeAudit = (audit: SendAudit) =>
  (Object.entries(audit.byChannel) as Array<[ChannelName, ChannelAudit]>)
    .map(
      ([channel, a]) =>
        `${channel}: ${a.requests} requests, ${a.ambiguous} ambiguous (${a.outcomeLost} intents without outcome, ` +
        `${a.noResponse} without answer), ${a.resends} resent, ${a.held} held, ${a.repeats} received twice`
    )
    .join("; ")

/** What must be empty after any fault (see SendAudit). */
export const sendProblems = ({
  sentWithoutIntent,
  unrecordedRepeats,
  unmatchedResends,
  unresolved,
  duplicatePostbacks
}: SendAudit) => ({ sentWithoutIntent, unrecordedRepeats, unmatchedResends, unresolved, duplicatePostbacks })

/** sendProblems of a scenario that sent nothing it should not have: what every scenario expects. */
export const NO_SEND_PROBLEMS: ReturnType<typeof sendProblems> = {
  sentWithoutIntent: [],
  unrecordedRepeats: [],
  unmatchedResends: [],
  unresolved: [],
  duplicatePostbacks: []
}

/**
 * The answers of 202 that reached the driver while the database was down, between `down` and `up`
 * (epoch ms), and how many of them are for a webhook committed before `down`: all of them must be
 * (the answer was on its way, or the service slow to send it), since nothing commits in between.
 */
export const acceptedWhileDown = async (rig: Rig, down: number, up: number) => {
  const late = [...rig.webhooks.records.values()].filter((r) =>
    r.answers.some((a) => a.status === 202 && a.at > down && a.at < up)
  )
  const committed = await rig.pg.sql<Array<{ webhook_id: string }>>`
    select stream_id as webhook_id from events
    where type = 'WebhookReceived' and recorded_at < ${new Date(down)}
      and stream_id = any(${late.map((r) => webhookStream(webhookIdOf(r.orderId)))}::text[])`
  return { late: late.length, committedBefore: committed.length }
}

/**
 * After a database outage, once it is over: every accepted webhook accounted for within `timeoutMs`,
 * none dead-lettered or failed, each of the `orders` tracked orders sent to its three targets or, a
 * postback whose outcome the outage destroyed, held with an alert; no success recorded twice, and
 * nothing sent that should not have been.
 */
export const expectRecovered = async (rig: Rig, orders: number, timeoutMs: number) => {
  const { accounting, ms } = await settle(rig, timeoutMs)
  expect(accounting.fates.dead_lettered + accounting.fates.normalization_failed).toBe(0)
  expect(accounting.fates.dispatched + accounting.fates.held).toBeGreaterThanOrEqual(orders * 3)
  expect(accounting.held.every((pair) => pair.endsWith(`|${TARGETS.postback}`))).toBe(true)
  expect(accounting.heldWithoutAlert).toEqual([])
  expect(accounting.successesRecordedTwice).toBe(0)
  const audit = await auditSends(rig)
  expect(sendProblems(audit)).toEqual(NO_SEND_PROBLEMS)
  expect(audit.byChannel.postback.held).toBe(accounting.fates.held)
  return { accounting, audit, settleMs: ms }
}
