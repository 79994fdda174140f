// A worker that is alive but paused (GC stall, SIGSTOP, a slow channel) past its lease, whose job then
// runs in another worker, must not cause a double send when it wakes.
//
// 1. Two workers race for the same attempt: both read the stream, both decide to send, and both reach
//    the intent's append at the same moment (held there by a row lock the test takes, then lets go).
//    The intent's id is derived from the attempt, so exactly one of them records it and sends.
// 2. A real pause: a worker in a child process sends the postback and is SIGSTOPped while the partner
//    is still answering; its lease runs out; a second worker takes the job, finds the intent without
//    an outcome and holds it (a postback has no dedup key). The first wakes and records what it got.
//    The partner receives exactly one request.
// 3. The same pause with Meta: the second worker resends (Meta deduplicates on event_id, the order
//    key), and the resend is marked on the attempt and counted; both requests carry the same event_id.
import { type ChildProcess, spawn } from "node:child_process"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ConfigState } from "../../../src/config/ConfigState.js"
import { parseConfig } from "../../../src/config/load.js"
import type { Sql } from "../../../src/db/Db.js"
import { EventStore } from "../../../src/events/EventStore.js"
import { orderStream } from "../../../src/events/streams.js"
import { dispatchAmbiguousTotal } from "../../../src/lib/metrics.js"
import { order } from "../../dispatch/harness.js"
import { appSql, freshDatabase, ownerSql } from "../../support/db.js"
import { eventually, type FakeServer, fakeServer } from "../../support/fakeServer.js"
import { waitUntil } from "../../support/wait.js"
import { type DispatcherRuntime, dispatcherRuntime, dispatchWith } from "./support/dispatcher.js"

let databaseUrl: string
let partner: FakeServer
let meta: FakeServer
let sql: Sql
let owner: Sql
let a: DispatcherRuntime
let b: DispatcherRuntime
const children = new Set<ChildProcess>()

beforeAll(async () => {
  partner = await fakeServer()
  meta = await fakeServer()
  meta.script([], { status: 200, body: '{"events_received":1,"fbtrace_id":"x"}' })
  process.env.META_GRAPH_URL = meta.url
  process.env.PAUSED_META_TOKEN = "EAAB-paused"
  databaseUrl = await freshDatabase()
  sql = appSql(databaseUrl)
  owner = ownerSql(databaseUrl)
  a = dispatcherRuntime(databaseUrl)
  b = dispatcherRuntime(databaseUrl)
  const config = parseConfig(
    `
sources: []
targets:
  - { id: awin, channel: postback, url: "${partner.url}/sale?ref={order_id}&cks={click_id}", timeout: 8s }
  - { id: meta, channel: meta-capi, pixelId: "1234", accessToken: env:PAUSED_META_TOKEN, timeout: 8s }
rules:
  - { id: r, company: "*", product: "*", partner: "*", target: awin }
`,
    "paused.yaml"
  )
  if (config._tag === "Left") throw new Error("bad test config")
  await b.runPromise(Effect.flatMap(ConfigState, (c) => c.apply(config.right, { actor: "test" })))
})

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL")
  await Promise.all([a.dispose(), b.dispose()])
})

/** An order, paid, with a dispatch planned to `targetId`. */
const plan = async (id: number, targetId: string, channel: string) => {
  const o = order(id, { tracking: { clickIds: { awc: `1001_${id}_x` }, utm: {}, fbclid: `fb${id}` } })
  await b.runPromise(
    Effect.flatMap(EventStore, (store) =>
      store.append(
        orderStream(o.orderKey),
        "no_stream",
        [
          { _tag: "OrderNormalized", webhookId: `wh-${id}`, order: o, parserVersion: 1 },
          {
            _tag: "DispatchPlanned",
            orderKey: o.orderKey,
            targets: [{ targetId, channel, ruleId: "r", kind: "conversion" }],
            decisions: [],
            trigger: "paid"
          }
        ],
        { metadata: { actor: "test" } }
      )
    )
  )
  return { orderKey: o.orderKey, targetId, kind: "conversion" as const }
}

const types = async (orderKey: string) =>
  (
    await sql<Array<{ type: string }>>`
      select type from events where stream_id = ${orderStream(orderKey)} order by stream_version`
  ).map((r) => r.type)

const dataOf = async (orderKey: string, type: string) =>
  (
    await sql<Array<{ data: Record<string, unknown> }>>`
      select data from events where stream_id = ${orderStream(orderKey)} and type = ${type} order by stream_version`
  ).map((r) => r.data)

/** Backends of this database waiting on a lock. */
const waitingOnLocks = async () =>
  (
    await owner<Array<{ n: number }>>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`
  )[0]!.n

/** What a pause past the lease leaves: the lease has run out, so the next job takes it over. */
const expireLeases = () => owner`update dispatch_leases set expires_at = now() - interval '1 second'`

const worker = (payload: { orderKey: string; targetId: string; kind: string }) => {
  const child = spawn(process.execPath, ["--import", "tsx", "test/faults/channels/support/dispatchOnce.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, DISPATCH_PAYLOAD: JSON.stringify(payload) },
    stdio: ["ignore", "pipe", "pipe"]
  })
  children.add(child)
  let output = ""
  child.stdout.on("data", (d: Buffer) => (output += d.toString()))
  child.stderr.on("data", (d: Buffer) => (output += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, exited, output: () => output }
}

const ambiguous = async (channel: string, resolution: string) =>
  (await dispatchAmbiguousTotal.get()).values.find(
    (v) => v.labels.channel === channel && v.labels.resolution === resolution
  )?.value ?? 0

describe("two workers racing for one attempt", () => {
  it("exactly one records the intent and sends; the other sends nothing and looks again later", async () => {
    const payload = await plan(1, "awin", "postback")
    const stream = orderStream(payload.orderKey)
    // Hold the order stream's row: both workers' intent appends wait on it, after each has decided.
    const lock = owner.reserve()
    const tx = await lock
    await tx`begin`
    await tx`select 1 from event_streams where stream_id = ${stream} for update`
    const first = dispatchWith(a, payload)
    await eventually(async () => ((await waitingOnLocks()) >= 1 ? true : undefined))
    // The first worker is stuck past its lease: the second one takes the job over.
    await expireLeases()
    const second = dispatchWith(b, payload)
    await eventually(async () => ((await waitingOnLocks()) >= 2 ? true : undefined))
    await tx`commit`
    tx.release()
    await Promise.all([first, second])
    expect(partner.requests.filter((r) => r.url.includes("ref=1&"))).toHaveLength(1)
    expect(await types(payload.orderKey)).toEqual([
      "OrderNormalized",
      "DispatchPlanned",
      "DispatchAttemptStarted",
      "DispatchAttempted",
      "DispatchSucceeded"
    ])
    // The loser left a job to look again (once the winner must have recorded its outcome).
    const jobs =
      await owner`select 1 from graphile_worker.jobs where key = ${`dispatch:${payload.orderKey}:awin:conversion`}`
    expect(jobs).toHaveLength(1)
    await expireLeases()
    await dispatchWith(b, payload)
    expect(partner.requests.filter((r) => r.url.includes("ref=1&"))).toHaveLength(1)
  })
})

describe("a worker SIGSTOPped mid-request, past its lease", () => {
  it("a postback: the second worker holds it, the first wakes and records it; the partner gets one request", async () => {
    const payload = await plan(2, "awin", "postback")
    const requestsBefore = partner.requests.length
    const answeredBefore = partner.answered()
    // The partner takes its time to answer this one, so the sender can be stopped while it waits.
    partner.script([{ status: 200, body: "OK", delayMs: 1_500 }], { status: 200, body: "OK" })
    const first = worker(payload)
    await eventually(async () => (partner.requests.length > requestsBefore ? true : undefined), 30_000)
    first.child.kill("SIGSTOP")
    await expireLeases()
    const holds = await ambiguous("postback", "hold")
    await dispatchWith(b, payload)
    expect(await types(payload.orderKey)).toEqual([
      "OrderNormalized",
      "DispatchPlanned",
      "DispatchAttemptStarted",
      "DispatchHeld"
    ])
    expect(await ambiguous("postback", "hold")).toBe(holds + 1)
    // The partner answers the stopped worker meanwhile; it reads the answer when it wakes.
    await waitUntil("the partner answered the stopped worker", () => partner.answered() > answeredBefore, 30_000)
    first.child.kill("SIGCONT")
    expect(await first.exited).toBe(0)
    // Whatever the woken worker recorded (the answer, or its own timeout), no job sends it again.
    await expireLeases()
    await dispatchWith(b, payload)
    await dispatchWith(b, payload)
    expect(partner.requests.length - requestsBefore).toBe(1)
    const final = await types(payload.orderKey)
    expect(final.filter((t) => t === "DispatchAttemptStarted")).toHaveLength(1)
    expect(final.at(-1)).toMatch(/^(DispatchSucceeded|DispatchHeld)$/)
  })

  it("Meta: the second worker resends with the same event_id, marked and counted as an ambiguous resend", async () => {
    const payload = await plan(3, "meta", "meta-capi")
    meta.script([{ status: 200, body: '{"events_received":1,"fbtrace_id":"a"}', delayMs: 1_500 }])
    const requestsBefore = meta.requests.length
    const first = worker(payload)
    await eventually(async () => (meta.requests.length > requestsBefore ? true : undefined), 30_000)
    first.child.kill("SIGSTOP")
    await expireLeases()
    const resends = await ambiguous("meta-capi", "resend")
    await dispatchWith(b, payload)
    expect(await ambiguous("meta-capi", "resend")).toBe(resends + 1)
    const [resent] = await dataOf(payload.orderKey, "DispatchAttempted")
    expect(resent).toMatchObject({ attempt: 2, resendOf: 1 })
    first.child.kill("SIGCONT")
    expect(await first.exited).toBe(0)
    const sent = meta.requests.slice(requestsBefore)
    expect(sent).toHaveLength(2)
    const eventIds = sent.map((r) => (JSON.parse(r.body) as { data: Array<{ event_id: string }> }).data[0]!.event_id)
    expect(eventIds).toEqual([payload.orderKey, payload.orderKey])
  })
})
