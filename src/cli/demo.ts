// `s2s demo [--url URL]`: posts the demo webhooks to a running service (npm start with the bundled
// configuration), then follows the orders in the database until everything settled (about 10-20 s)
// and prints what happened to each, with the commands to read more.
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { Db } from "../db/Db.js"
import { demoWebhooks } from "../demo/scenario.js"
import { CoreLive } from "../main.js"
import { print, printTable } from "./output.js"

interface Row {
  readonly order_key: string
  readonly status: string
  readonly dispatch_state: string
  readonly doc: { dispatch: ReadonlyArray<{ targetId: string; kind: string; status: string; attempts: number }> }
}

const settled = (row: Row | undefined) =>
  row !== undefined &&
  row.dispatch_state !== "pending" &&
  !row.doc.dispatch.some((d) => d.status === "planned" || d.status === "retrying")

export const demo = Command.make(
  "demo",
  {
    url: Options.text("url").pipe(
      Options.withDescription("the running service (default http://localhost:$PORT, PORT defaulting to 3000)"),
      Options.optional
    ),
    wait: Options.integer("wait").pipe(Options.withDescription("seconds to follow the orders"), Options.withDefault(60))
  },
  ({ url, wait }) =>
    Effect.gen(function* () {
      const base = Option.getOrElse(url, () => `http://localhost:${process.env.PORT ?? "3000"}`)
      const webhooks = demoWebhooks(new Date())
      yield* print(`posting ${webhooks.length} signed webhooks to ${base}`)
      for (const w of webhooks) {
        const res = yield* Effect.tryPromise(() =>
          fetch(`${base}/webhooks/${w.sourceId}`, { method: "POST", headers: w.headers, body: w.body })
        ).pipe(Effect.mapError(() => new Error(`cannot reach ${base}: start the service first (npm start)`)))
        const answer = yield* Effect.promise(() => res.text())
        yield* print(`  ${res.status} ${w.label.padEnd(40)} ${answer}`)
        if (res.status === 404)
          return yield* Effect.fail(
            new Error("the demo sources are not configured: run the service with the bundled examples/s2s.yaml")
          )
      }
      const db = yield* Db
      const keys = [...new Set(webhooks.map((w) => w.orderKey))]
      yield* print(`\nfollowing ${keys.length} orders (up to ${wait} s)...`)
      let rows: ReadonlyArray<Row> = []
      for (let i = 0; i < wait * 2; i++) {
        rows = yield* db.run(
          "Demo.follow",
          (sql) => sql<Array<Row>>`
          select order_key, status, dispatch_state, doc from conversions
          where generation = (select active_generation from projections where name = 'conversions')
            and order_key = any(${keys}::text[])`
        )
        const byKey = new Map(rows.map((r) => [r.order_key, r]))
        if (keys.every((k) => settled(byKey.get(k)) || byKey.get(k)?.status === "ignored")) break
        yield* Effect.sleep("500 millis")
      }
      const byKey = new Map(rows.map((r) => [r.order_key, r]))
      yield* printTable(
        ["order", "expected", "status", "dispatches"],
        webhooks
          .filter((w, i) => webhooks.findIndex((x) => x.orderKey === w.orderKey) === i)
          .map((w) => {
            const row = byKey.get(w.orderKey)
            return [
              w.orderKey,
              w.expect,
              row?.status ?? "(not yet projected)",
              row
                ? row.doc.dispatch
                    .map((d) => `${d.targetId}:${d.status}${d.attempts > 1 ? `(${d.attempts} attempts)` : ""}`)
                    .join(", ") || "-"
                : "-"
            ]
          })
      )
      yield* print(`\nread an order's whole story:   npx s2s orders log ${keys[0]}`)
      yield* print(`see the Slack messages:         curl ${base}/demo/slack/messages`)
      yield* print(`re-dispatch the dead letter:    npx s2s redispatch --order ${keys[4]} --state dead_lettered`)
    }).pipe(Effect.provide(CoreLive))
).pipe(Command.withDescription("Post the bundled example webhooks to a running service and show what happened"))
