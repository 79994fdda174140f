// `s2s demo` (defined in ../demo.ts): posts the demo webhooks to a running service (npm start with the
// bundled configuration), then follows the orders in the database until everything settled (about
// 10-20 s) and prints what happened to each, the alerts they raised, and the commands to read more.
// Exit 1 when the service does not accept a webhook (with the likely cause) or the orders do not
// settle within --wait, so a script (or a newcomer) never mistakes a half-run demo for a working one.
import { Effect, Option } from "effect"
import { Db } from "../../db/Db.js"
import { type DemoWebhook, demoRunMarker, demoWebhooks } from "../../demo/scenario.js"
import { raisedAlertsNaming } from "../../events/queries/alerts.js"
import { existingStreams } from "../../events/reads.js"
import { orderStream } from "../../events/streams.js"
import type { DemoInput } from "../demo.js"
import { print, printTable } from "../output.js"
import { withCore } from "../stages.js"

interface Row {
  readonly order_key: string
  readonly status: string
  readonly dispatch_state: string
  readonly doc: { dispatch: ReadonlyArray<{ targetId: string; kind: string; status: string; attempts: number }> }
}

const settled = (row: Row | undefined) =>
  row !== undefined &&
  (row.status === "ignored" ||
    (row.dispatch_state !== "pending" &&
      !row.doc.dispatch.some((d) => d.status === "planned" || d.status === "retrying")))

/** Why the service did not accept a demo webhook, in terms a newcomer can act on. */
const refusal = (status: number, answer: string) => {
  const cause =
    status === 404
      ? "the demo sources are not configured: run the service with the bundled examples/s2s.yaml (no ./s2s.yaml in its directory)"
      : status === 503
        ? "the service cannot verify the demo signatures (a source secret is unset): it is not running in demo mode; restart it with no ./s2s.yaml or with --config examples/s2s.yaml"
        : status === 401
          ? "the service rejected the demo signature: its source secrets are not the demo's (unset S2S_DEMO_* overrides, or run the bundled examples/s2s.yaml)"
          : "the service did not accept the webhook"
  return new Error(`webhook answered HTTP ${status} (${answer.slice(0, 200)}): ${cause}`)
}

/** The first run number whose orders are not in the database yet. */
const nextRun = Effect.fn("Demo.nextRun")(function* () {
  const db = yield* Db
  const candidates = Array.from({ length: 1000 }, (_, i) => i + 1)
  const taken = yield* db.query("Demo.runs", (sql) =>
    existingStreams(
      sql,
      candidates.map((r) => orderStream(demoRunMarker(r)))
    )
  )
  return candidates.find((r) => !taken.has(orderStream(demoRunMarker(r)))) ?? candidates.length + 1
})

const post = (base: string, w: DemoWebhook) =>
  Effect.tryPromise(async () => {
    const res = await fetch(`${base}/webhooks/${w.sourceId}`, { method: "POST", headers: w.headers, body: w.body })
    return { status: res.status, answer: await res.text() }
  }).pipe(Effect.mapError(() => new Error(`cannot reach ${base}: start the service first (npm start)`)))

const follow = Effect.fn("Demo.follow")(function* (keys: ReadonlyArray<string>) {
  const db = yield* Db
  const orders = yield* db.query(
    "Demo.orders",
    (sql) => sql<Array<Row>>`
      select order_key, status, dispatch_state, doc from conversions
      where generation = (select active_generation from projections where name = 'conversions')
        and order_key = any(${keys}::text[])`
  )
  // Problem, target and campaign only: an alert's summary and details may name the customer.
  const alerts = yield* db.query("Demo.alerts", (sql) => raisedAlertsNaming(sql, keys))
  return { orders: new Map(orders.map((r) => [r.order_key, r])), alerts }
})

const dispatches = (row: Row | undefined) =>
  row
    ? row.doc.dispatch
        .map((d) => `${d.targetId}:${d.status}${d.attempts > 1 ? `(${d.attempts} attempts)` : ""}`)
        .join(", ") || "-"
    : "-"

export const demo = ({ url, wait }: DemoInput) =>
  Effect.gen(function* () {
    const base = Option.getOrElse(url, () => `http://localhost:${process.env.PORT ?? "3000"}`)
    const run = yield* nextRun()
    const webhooks = demoWebhooks(new Date(), run)
    yield* print(`posting ${webhooks.length} signed webhooks to ${base} (demo run ${run})`)
    for (const w of webhooks) {
      const { status, answer } = yield* post(base, w)
      yield* print(`  ${status} ${w.label.padEnd(40)} ${answer}`)
      if (status !== 202) return yield* Effect.fail(refusal(status, answer))
    }
    const orders = webhooks.filter((w, i) => webhooks.findIndex((x) => x.orderKey === w.orderKey) === i)
    const keys = orders.map((w) => w.orderKey)
    const alerting = orders.filter((w) => w.expect.includes("alert")).map((w) => w.orderKey)
    yield* print(`\nfollowing ${keys.length} orders (up to ${wait} s)...`)
    let seen = yield* follow(keys)
    const done = () =>
      keys.every((k) => settled(seen.orders.get(k))) &&
      alerting.every((k) => seen.alerts.some((a) => a.order_key === k && a.slack !== null))
    for (let i = 0; i < wait * 2 && !done(); i++) {
      yield* Effect.sleep("500 millis")
      seen = yield* follow(keys)
    }
    yield* printTable(
      ["order", "expected", "status", "dispatches"],
      orders.map((w) => {
        const row = seen.orders.get(w.orderKey)
        return [w.orderKey, w.expect, row?.status ?? "(not yet projected)", dispatches(row)]
      })
    )
    yield* print("\nalerts raised (posted to Slack, here the built-in sink):")
    yield* printTable(
      ["order", "problem", "target", "campaign", "slack"],
      seen.alerts.map((a) => [a.order_key, a.problem, a.target_id ?? "-", a.campaign ?? "-", a.slack ?? "pending"])
    )
    if (seen.alerts.length === 0) yield* print("  (none yet)")
    const pending = keys.filter((k) => !settled(seen.orders.get(k)))
    if (pending.length > 0)
      return yield* Effect.fail(
        new Error(
          `${pending.join(", ")} did not settle within ${wait} s: is the worker running (npm start runs it)? Retry with a longer --wait`
        )
      )
    const deadLetter = orders.find((w) => w.expect.startsWith("dead-lettered"))?.orderKey ?? keys[0]
    yield* print(`\nread an order's whole story:   npx s2s orders log ${keys[0]}`)
    yield* print(`see the Slack messages:         curl ${base}/demo/slack/messages`)
    yield* print(`re-dispatch the dead letter:    npx s2s redispatch --order ${deadLetter} --state dead_lettered`)
  }).pipe(withCore)
