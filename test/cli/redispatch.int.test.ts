import { beforeAll, describe, expect, it, vi } from "vitest"
import { config as configCommand } from "../../src/cli/config.js"
import { redispatch } from "../../src/cli/redispatch.js"
import type { Sql } from "../../src/db/Db.js"
import { toStoreAppend } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import { appendStreams } from "../../src/events/store.js"
import { makeOrder } from "../dispatch/channels/support/orders.js"
import { runCli } from "../operations/support.js"
import { appSql, freshDatabase, ownerSql } from "../support/db.js"
import { tempFile } from "../support/tmp.js"

const ORDER = "shop-de:950001"
const URL = "https://partner.example/p?ref=950001&cks=1001_950001_abc"
let url: string
let sql: Sql

const order = makeOrder("DE", {
  orderKey: ORDER,
  platformOrderId: "950001",
  partner: "awin",
  tracking: { ...makeOrder().tracking, clickIds: { awc: "1001_950001_abc" } }
})
const ref = { orderKey: ORDER, targetId: "awin", kind: "conversion" as const }
const history: ReadonlyArray<AppEvent> = [
  { _tag: "OrderNormalized", webhookId: "wh-1", order, parserVersion: 1 },
  {
    _tag: "DispatchPlanned",
    orderKey: ORDER,
    targets: [{ targetId: "awin", channel: "postback", ruleId: "awin-all", kind: "conversion" }],
    decisions: [],
    trigger: "paid"
  },
  {
    _tag: "DispatchAttempted",
    ...ref,
    attempt: 1,
    channel: "postback",
    exchanges: [],
    durationMs: 9,
    trigger: "scheduled"
  },
  { _tag: "DispatchFailed", ...ref, attempt: 1, reason: "ServerError", retryable: true, message: "HTTP 500" },
  { _tag: "DispatchDeadLettered", ...ref, attempts: 1, reason: "ServerError: gave up", message: "HTTP 500" }
]

beforeAll(async () => {
  url = await freshDatabase()
  sql = appSql(url)
  const file = tempFile(
    "rd",
    "s2s.yaml",
    `targets:\n  - { id: awin, channel: postback, url: "https://partner.example/p?ref={order_id}&cks={click_id}" }\n`
  )
  expect((await runCli(configCommand, ["apply", file], url)).exitCode).toBe(0)
  await sql.begin((tx) =>
    appendStreams(tx, [
      toStoreAppend({ streamId: `order-${ORDER}`, expectedVersion: "no_stream", events: history }, {})
    ])
  )
})

const cli = (...args: Array<string>) => runCli(redispatch, args, url, { S2S_ACTOR: "tester" })
const requests = () => sql`select data, metadata from events where type = 'DispatchRequested'`

describe("s2s redispatch", () => {
  it("dry-runs by default: prints the exact request and records nothing", async () => {
    const run = await cli("--order", ORDER)
    expect(run.exitCode).toBe(0)
    const lines = run.stdout.split("\n")
    expect(lines[0]).toBe("dry run: 1 dispatch selected, 1 would be sent, 0 skipped")
    expect(lines[1]).toMatch(/^ORDER +TARGET +KIND +STATE +ACTION +DETAIL$/)
    expect(lines[3]).toMatch(
      new RegExp(`^${ORDER} +awin +conversion +dead_lettered +would send +GET ${URL.replace(/\?/g, "\\?")}$`)
    )
    expect(lines.at(-1)).toBe("nothing was sent (dry run); run again with --yes to send")
    expect(await requests()).toHaveLength(0)
  })

  it("with --yes records who asked and enqueues the dispatch job", async () => {
    const run = await cli("--order", ORDER, "--reason", "partner fixed their endpoint", "--yes")
    expect(run.exitCode).toBe(0)
    expect(run.stdout.split("\n").at(-1)).toBe("1 dispatch requested; the worker sends them now")
    const [request] = await requests()
    expect(request!.data).toEqual({ ...ref, reason: "partner fixed their endpoint", actor: "cli:tester", force: false })
    expect(request!.metadata).toMatchObject({ actor: "cli:tester", source: "cli:redispatch" })
    const jobs = await ownerSql(url)`
      select t.identifier, j.key, j.payload from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id`
    expect(jobs.map((j) => [j.identifier, j.key, j.payload])).toEqual([
      ["dispatch-order", `dispatch:${ORDER}:awin:conversion`, ref]
    ])
  })

  it("does not request again while the first request waits for the dispatcher", async () => {
    const run = await cli("--order", ORDER, "--yes", "--json")
    expect(JSON.parse(run.stdout)).toMatchObject({
      dryRun: false,
      send: 0,
      items: [{ action: "skipped", reason: "already requested by cli:tester; waiting for the dispatcher" }]
    })
    expect(await requests()).toHaveLength(1)
  })

  it.each([
    [[], "select what to re-dispatch: give orderKeys, a target, a state or a time range"],
    [["--target", "awin", "--from", "yesterday"], 'from is not an ISO 8601 date or time: "yesterday"'],
    [["--order", ORDER, "--yes", "--dry-run"], "--yes and --dry-run exclude each other"]
  ])("refuses %j as a usage error", async (args, message) => {
    expect(await cli(...args)).toMatchObject({ exitCode: 2, stdout: "", stderr: `error: ${message}` })
  })

  it("draws its progress on stderr only when stderr is a terminal", async () => {
    const writes: Array<string> = []
    const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk))
      return true
    })
    const tty = Object.getOwnPropertyDescriptor(process.stderr, "isTTY")
    try {
      expect((await cli("--order", ORDER)).exitCode).toBe(0)
      expect(writes.join("")).not.toContain("redispatch:")
      Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true })
      expect((await cli("--order", ORDER)).exitCode).toBe(0)
      expect(writes.join("")).toContain("\r\x1b[2Kredispatch: 1 / 1 orders (100%)")
      expect(writes.at(-1)).toBe("\r\x1b[2K")
    } finally {
      write.mockRestore()
      if (tty) Object.defineProperty(process.stderr, "isTTY", tty)
      else delete (process.stderr as { isTTY?: boolean }).isTTY
    }
  })
})
