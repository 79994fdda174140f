// `s2s projections list` and `s2s projections rebuild NAME|--all` against a database with a few
// orders in its log: the summary on stdout, --json reports, and usage errors (exit code 2).
import { beforeAll, describe, expect, it } from "vitest"
import { projections } from "../../src/cli/projections.js"
import type { Sql } from "../../src/db/Db.js"
import { toStoreAppend } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import { appendStreams } from "../../src/events/store.js"
import { makeOrder } from "../dispatch/channels/support/orders.js"
import { runCli } from "../operations/support.js"
import { appSql, freshDatabase } from "../support/db.js"

let url: string
let sql: Sql

const orderEvents = (id: number): ReadonlyArray<AppEvent> => {
  const order = makeOrder("DE", { orderKey: `shop-de:${id}`, platformOrderId: String(id) })
  return [
    { _tag: "OrderNormalized", webhookId: `wh-${id}`, order, parserVersion: 1 },
    {
      _tag: "DispatchPlanned",
      orderKey: order.orderKey,
      targets: [{ targetId: "google-acme", channel: "google-ads", ruleId: "acme-google", kind: "conversion" }],
      decisions: [],
      trigger: "paid"
    }
  ]
}

beforeAll(async () => {
  url = await freshDatabase()
  sql = appSql(url)
  await sql.begin((tx) =>
    appendStreams(
      tx,
      [940001, 940002, 940003].map((id) =>
        toStoreAppend({ streamId: `order-shop-de:${id}`, expectedVersion: "no_stream", events: orderEvents(id) }, {})
      )
    )
  )
})

const cli = (...args: Array<string>) => runCli(projections, args, url)

describe("s2s projections", () => {
  it("lists projections the projector has not started", async () => {
    const run = await cli("list")
    expect(run.exitCode).toBe(0)
    expect(run.stdout.split("\n")).toEqual([
      "NAME              GENERATION   CHECKPOINT  LAG EVENTS  LAG SECONDS  REBUILDING",
      "----------------  -----------  ----------  ----------  -----------  ----------",
      "stream_summaries  not started  -           -           -",
      "conversions       not started  -           -           -",
      "dispatch_facts    not started  -           -           -"
    ])
  })

  it("rebuilds one projection and prints its summary", async () => {
    const run = await cli("rebuild", "conversions")
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toBe("")
    expect(run.stdout).toMatch(
      /^conversions: rebuilt generation 1 -> 2 in \d+(\.\d)? m?s: 6 events, 3 rows; 3 added, 0 removed, 0 changed\n {2}added: shop-de:940001\n {2}added: shop-de:940002\n {2}added: shop-de:940003$/
    )
    const rows = await sql`select order_key, dispatch_state from conversions where generation = 2 order by order_key`
    expect(rows.map((r) => [r.order_key, r.dispatch_state])).toEqual([
      ["shop-de:940001", "pending"],
      ["shop-de:940002", "pending"],
      ["shop-de:940003", "pending"]
    ])
  })

  it("rebuilds every projection with --all --json; a second rebuild changes nothing", async () => {
    const run = await cli("rebuild", "--all", "--json")
    expect(run.exitCode).toBe(0)
    const reports = JSON.parse(run.stdout) as Array<Record<string, unknown>>
    expect(reports.map((r) => [r.projection, r.fromGeneration, r.toGeneration, r.rows, r.added, r.changed])).toEqual([
      ["stream_summaries", 1, 2, 3, 3, 0],
      ["conversions", 2, 3, 3, 0, 0],
      ["dispatch_facts", 1, 2, 3, 3, 0]
    ])
  })

  it("shows generation, checkpoint and lag in the list", async () => {
    const [last] = await sql`select max(global_position)::int as p from events`
    const run = await cli("list", "--json")
    expect(JSON.parse(run.stdout)).toEqual([
      {
        name: "stream_summaries",
        activeGeneration: 2,
        rebuildingGeneration: null,
        checkpoint: last!.p,
        eventsApplied: 6,
        lagEvents: 0,
        lagSeconds: 0
      },
      {
        name: "conversions",
        activeGeneration: 3,
        rebuildingGeneration: null,
        checkpoint: last!.p,
        eventsApplied: 6,
        lagEvents: 0,
        lagSeconds: 0
      },
      {
        name: "dispatch_facts",
        activeGeneration: 2,
        rebuildingGeneration: null,
        checkpoint: last!.p,
        eventsApplied: 3,
        lagEvents: 0,
        lagSeconds: 0
      }
    ])
  })

  it.each([
    [[], "give one projection NAME or --all (known: stream_summaries, conversions, dispatch_facts)"],
    [
      ["conversions", "--all"],
      "give one projection NAME or --all (known: stream_summaries, conversions, dispatch_facts)"
    ],
    [["orders"], 'no projection "orders" (known: stream_summaries, conversions, dispatch_facts)']
  ])("refuses rebuild %j as a usage error", async (args, message) => {
    const run = await cli("rebuild", ...args)
    expect(run).toMatchObject({ exitCode: 2, stderr: `error: ${message}` })
  })
})
