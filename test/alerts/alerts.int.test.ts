// The alerts wired into the running service, against a fake Slack: Shopify webhooks in, Slack
// messages and alert streams out. The tests share one service and run in order (grouping, dead
// letter, outage, coverage), each counting only the messages about its own orders.
import * as fs from "node:fs"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { enqueueJobs } from "../../src/events/store.js"
import { appSql, ownerSql } from "../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"
import { jobsSettled, waitUntil } from "../support/wait.js"
import { type FakeSlack, okReply, type SlackRequest, withFakeSlack } from "./support/fakeSlack.js"

const SECRET = "shpss_alerts"
const WINDOW_MS = 5000
const PAID_DAY = "2024-11-29"
const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>

let slackUp = true
const posted: Array<string> = []
let slack: FakeSlack
let releaseSlack = () => {}
let awin: FakeServer
let crm: FakeServer
let service: RunningService
let sql: Sql
let owner: Sql

/** A message as Slack would show it: the fallback text and the blocks. */
const textOf = (request: SlackRequest) =>
  request.form
    .filter(([key]) => key === "text" || key === "blocks")
    .map(([, value]) => value)
    .join("\n")

const messagesWith = (needle: string) => posted.filter((m) => m.includes(needle))

const deliver = async (id: number, landing: string) => {
  const body = JSON.stringify({
    ...fixture,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    landing_site: landing
  })
  const headers = shopifyHeaders(body, SECRET, { "x-shopify-webhook-id": `wh-alerts-${id}` })
  const res = await post(`${service.baseUrl}/webhooks/shop-de`, body, headers)
  expect(res.status).toBe(202)
}

const googleWithoutGclid = (campaign: string) =>
  `/products/vitamin-d3?utm_source=google&utm_medium=cpc&utm_campaign=${campaign}`

const streamEvents = (streamId: string) =>
  sql<Array<{ type: string; data: Record<string, unknown> }>>`
    select type, data from events where stream_id = ${streamId} order by stream_version`

const typesOf = async (streamId: string) => (await streamEvents(streamId)).map((e) => e.type)

const untilTypes = (streamId: string, type: string, timeoutMs?: number) =>
  eventually(async () => {
    const types = await typesOf(streamId)
    return types.includes(type) ? types : undefined
  }, timeoutMs)

const runJob = (task: string, payload: Record<string, unknown> = {}) => enqueueJobs(sql, [{ task, payload }])

beforeAll(async () => {
  slack = await new Promise<FakeSlack>((resolve) => {
    const done = new Promise<void>((release) => {
      releaseSlack = release
    })
    Effect.runFork(
      withFakeSlack(
        (request, index) => {
          if (!slackUp) return { status: 500, body: "upstream connect error" }
          posted.push(textOf(request))
          return okReply("C0123TRACK", `1773136800.${String(index).padStart(6, "0")}`)
        },
        (fake) =>
          Effect.promise(() => {
            resolve(fake)
            return done
          })
      )
    )
  })
  awin = await fakeServer()
  awin.script([], { status: 500, body: "internal error" })
  crm = await fakeServer()
  service = await startService({
    worker: true,
    env: { ALERTS_SHOPIFY_SECRET: SECRET, ALERTS_SLACK_TOKEN: "xoxb-test-token", SLACK_API_URL: slack.apiUrl },
    config: `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:ALERTS_SHOPIFY_SECRET }
partners:
  - { id: google, when: [gclid, gbraid, wbraid, "utm_source=google"] }
  - { id: awin, when: [awc, "utm_source=awin"] }
targets:
  - id: awin
    channel: postback
    url: "${awin.url}/sread.php?ref={order_id}&cks={click_id}"
    retry: { maxAttempts: 1 }
  - id: crm
    channel: postback
    url: "${crm.url}/conversion?ref={order_id}&campaign={utm_campaign}"
rules:
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
  - { id: crm-google, company: acme, product: "*", partner: google, target: crm }
alerts:
  slack:
    token: env:ALERTS_SLACK_TOKEN
    channel: "#tracking-alerts"
    groupWindow: ${WINDOW_MS / 1000}s
    weeklyReport: { day: monday, hour: 8 }
`
  })
  sql = appSql(service.databaseUrl)
  owner = ownerSql(service.databaseUrl)
})

afterAll(async () => {
  await service?.stop()
  releaseSlack()
})

describe("Slack alerts from the pipeline", () => {
  it("hands the digest schedule to graphile-worker's cron", async () => {
    // The cron registers its entries shortly after the worker starts.
    const known = await eventually(async () => {
      const rows = await owner`select identifier from graphile_worker._private_known_crontabs order by identifier`
      return rows.length === 3 ? rows.map((row) => row.identifier) : undefined
    })
    expect(known).toEqual(["alert-coverage-digest", "alert-digests", "alert-weekly-report"])
  })

  it("posts one message for a broken campaign, counts its repeats and follows up with one digest", async () => {
    await deliver(1001, googleWithoutGclid("de_brand_search"))
    const first = await eventually(async () => messagesWith("de_brand_search")[0])
    expect(first).toContain("/products/vitamin-d3")
    expect(first).toContain("utm_source=google")
    expect(first).not.toContain("lena.mueller@example.de")
    const stream = "alert-contradicting_tracking:shop-de:1001"
    expect(await untilTypes(stream, "AlertSent")).toEqual(["AlertRaised", "AlertSent"])
    expect((await streamEvents(stream))[1]!.data).toMatchObject({ channel: "C0123TRACK", occurrences: 1 })
    // The order's log finds the alert through its orderKey.
    const logged = await sql`
      select type from events where data->>'orderKey' = 'shop-de:1001' and stream_id not like 'order-%'`
    expect(logged.map((r) => r.type)).toContain("AlertRaised")

    await Promise.all([1002, 1003, 1004].map((id) => deliver(id, googleWithoutGclid("de_brand_search"))))
    for (const id of [1002, 1003, 1004]) {
      const types = await untilTypes(`alert-contradicting_tracking:shop-de:${id}`, "AlertSuppressed")
      expect(types).toEqual(["AlertRaised", "AlertSuppressed"])
    }
    expect(messagesWith("de_brand_search")).toHaveLength(1)

    const [group] = await sql<Array<{ state: { groups: Record<string, { windowStart: string }> } }>>`
      select state from alert_groups where group_key = 'acme|google|de_brand_search|contradicting_tracking'`
    const windowStart = Date.parse(Object.values(group!.state.groups)[0]!.windowStart)
    await waitUntil("the group's window over", () => Date.now() > windowStart + WINDOW_MS + 100, WINDOW_MS + 5_000)
    await runJob("alert-digests")
    const digest = await eventually(async () => messagesWith("de_brand_search").find((m) => m.includes("3 more")))
    for (const id of [1002, 1003, 1004]) expect(digest).toContain(`shop-de:${id}`)
    expect(messagesWith("de_brand_search")).toHaveLength(2)
    // Slack answered before AlertSent was appended: wait for the record.
    const digests = await eventually(async () => {
      const events = await sql<Array<{ type: string; data: Record<string, unknown> }>>`
        select type, data from events where stream_id like 'alert-repeat\\_digest:%' order by global_position`
      return events.length >= 2 ? events : undefined
    })
    expect(digests.map((d) => d.type)).toEqual(["AlertRaised", "AlertSent"])
    expect(digests[1]!.data).toMatchObject({ occurrences: 3 })
    expect(await sql`select group_key from alert_groups where state->'groups' <> '{}'::jsonb`).toHaveLength(0)
  })

  it("posts one message for a dead letter, not a second one for its final failure", async () => {
    await deliver(2001, "/products/vitamin-d3?awc=1001_1732871512_abc&utm_source=awin&utm_campaign=spring")
    const message = await eventually(async () => messagesWith("shop-de:2001")[0])
    expect(message).toContain("given up")
    expect(message).toContain("awin")
    expect(await typesOf("order-shop-de:2001")).toContain("DispatchDeadLettered")
    const alerts = await sql`
      select stream_id from events where type = 'AlertRaised' and data->>'orderKey' = 'shop-de:2001'`
    expect(alerts.map((a) => a.stream_id)).toEqual(["alert-dead_letter:shop-de:2001:awin:conversion:1"])
    await untilTypes("alert-dead_letter:shop-de:2001:awin:conversion:1", "AlertSent")
    expect(messagesWith("shop-de:2001")).toHaveLength(1)
  })

  it("records a Slack outage, retries later, and never holds up the order's dispatch", async () => {
    slackUp = false
    await deliver(3001, googleWithoutGclid("de_outage"))
    const stream = "alert-contradicting_tracking:shop-de:3001"
    await untilTypes(stream, "AlertDeliveryFailed")
    expect((await streamEvents(stream))[1]!.data).toMatchObject({ attempt: 1, retryable: true })
    expect(String((await streamEvents(stream))[1]!.data.error)).toContain("500")
    // The job completed and a new one waits for the backoff, so the queue is not stuck on it.
    const job = await eventually(async () => {
      const [row] = await owner<Array<{ id: string; delay: number }>>`
        select id, extract(epoch from run_at - now()) as delay from graphile_worker.jobs
        where key = ${`deliver-alert:contradicting_tracking:shop-de:3001`} and locked_at is null`
      return row
    })
    expect(Number(job.delay)).toBeGreaterThan(30)
    expect(await untilTypes("order-shop-de:3001", "DispatchSucceeded")).toContain("DispatchSucceeded")
    expect(crm.requests.some((r) => r.url.includes("ref=3001"))).toBe(true)

    slackUp = true
    await owner`select graphile_worker.reschedule_jobs(array[${job.id}]::bigint[], run_at := now())`
    expect(await untilTypes(stream, "AlertSent")).toEqual(["AlertRaised", "AlertDeliveryFailed", "AlertSent"])
    expect(messagesWith("de_outage")).toHaveLength(1)
  })

  it("posts the day's coverage digest once, naming the campaigns that lost the most click ids", async () => {
    await eventually(async () => {
      const [row] = await sql<Array<{ n: number }>>`
        select count(*)::int as n from conversions where dispatch_state in ('delivered', 'dead_lettered')`
      return row!.n === 6 ? row : undefined
    })
    await runJob("alert-coverage-digest", { day: PAID_DAY })
    const digest = await eventually(async () => messagesWith(`Tracking coverage ${PAID_DAY}`)[0])
    expect(digest).toContain("6 paid orders")
    const brand = digest.indexOf("`de_brand_search` (acme / google): 4 orders")
    const outage = digest.indexOf("`de_outage` (acme / google): 1 order")
    expect(brand).toBeGreaterThan(-1)
    expect(outage).toBeGreaterThan(brand)

    // A second run of the same day records and posts nothing.
    await runJob("alert-coverage-digest", { day: PAID_DAY })
    await eventually(async () => {
      const jobs = await owner`
        select id from graphile_worker.jobs where task_identifier in ('alert-coverage-digest', 'deliver-alert')`
      return jobs.length === 0 ? true : undefined
    })
    expect(await typesOf(`alert-coverage_digest:${PAID_DAY}`)).toEqual(["AlertRaised", "AlertSent"])
    expect(messagesWith(`Tracking coverage ${PAID_DAY}`)).toHaveLength(1)
  })

  it("posts the weekly outcome summary once, on its weekday and hour, with the biggest change", async () => {
    // Sunday: not the configured day, nothing is recorded.
    await runJob("alert-weekly-report", { _cron: { ts: "2024-12-01T08:05:00.000Z" } })
    // Monday 08:05 UTC: the week 2024-11-25 .. 2024-12-01, which holds the orders of PAID_DAY.
    await runJob("alert-weekly-report", { _cron: { ts: "2024-12-02T08:05:00.000Z" } })
    const summary = await eventually(async () => messagesWith("Weekly outcome 2024-11-25")[0])
    expect(summary).toContain(
      "6 orders · 6 paid · 6 eligible · 5 delivered (*83.3 %*) · 5 acknowledged by all targets · 1 failed"
    )
    expect(summary).toContain("the week before:_ 0 orders")
    expect(summary).toContain("*Biggest change*: acme / google: 0 → 5 delivered orders (+5, new)")
    await runJob("alert-weekly-report", { _cron: { ts: "2024-12-02T09:05:00.000Z" } })
    await eventually(async () => {
      const jobs = await owner`
        select id from graphile_worker.jobs where task_identifier in ('alert-weekly-report', 'deliver-alert')`
      return jobs.length === 0 ? true : undefined
    })
    expect(await typesOf("alert-weekly_report:2024-11-25")).toEqual(["AlertRaised", "AlertSent"])
    expect(messagesWith("Weekly outcome")).toHaveLength(1)
  })

  it("posts once when recording AlertSent fails right after Slack accepted the message", async () => {
    const alertId = "contradicting_tracking:shop-de:4001"
    // A real database failure, once: the first AlertSent append of this alert is refused.
    await owner.unsafe(`
      create sequence alert_sent_refusals;
      create function refuse_first_alert_sent() returns trigger language plpgsql security definer as $$
      begin
        if new.type = 'AlertSent' and new.data->>'alertId' = '${alertId}' and nextval('alert_sent_refusals') = 1 then
          raise exception 'simulated outage after the post';
        end if;
        return new;
      end $$;
      create trigger refuse_first_alert_sent before insert on events
        for each row execute function refuse_first_alert_sent();`)
    try {
      await deliver(4001, googleWithoutGclid("de_record_fail"))
      expect(await untilTypes(`alert-${alertId}`, "AlertSent", 30_000)).toEqual(["AlertRaised", "AlertSent"])
      const [refusals] = await owner<Array<{ n: string }>>`select last_value::text as n from alert_sent_refusals`
      expect(refusals!.n).toBe("2")
      // The refused append failed the job and its retry recorded AlertSent: once nothing is left to run,
      // no retry posted again.
      await jobsSettled(owner)
      expect(messagesWith("de_record_fail")).toHaveLength(1)
    } finally {
      await owner.unsafe("drop trigger refuse_first_alert_sent on events; drop function refuse_first_alert_sent()")
    }
  }, 60_000)
})
