// `s2s report`: what the command defined in ../report.ts does.
import { stringify } from "csv-stringify/sync"
import { Effect, Either, Option } from "effect"
import { Db } from "../../db/Db.js"
import { parseRange } from "../../operations/request.js"
import { aggregate, DIMENSIONS, type Dimension, type Figures, shareText } from "../../reports/figures.js"
import { reportOrders } from "../../reports/query.js"
import { print, printJson, table, usageError } from "../output.js"
import type { ReportInput } from "../report.js"
import { withDatabaseReady } from "../stages.js"

const FIGURES = ["orders", "paid", "eligible", "delivered", "acknowledged", "failed", "held"] as const

export const parseBy = (text: string | undefined): Either.Either<ReadonlyArray<Dimension>, string> => {
  if (text === undefined || text.trim() === "") return Either.right([])
  const parts = text.split(",").map((p) => p.trim().toLowerCase())
  const unknown = parts.filter((p) => !(DIMENSIONS as ReadonlyArray<string>).includes(p))
  if (unknown.length > 0) return Either.left(`--by takes ${DIMENSIONS.join(", ")}; not ${unknown.join(", ")}`)
  return Either.right([...new Set(parts)] as Array<Dimension>)
}

const cells = (f: Figures) => [...FIGURES.map((k) => String(f[k])), shareText(f.deliveryShare)]

export const report = (o: ReportInput) =>
  Effect.gen(function* () {
    if (o.json && o.csv) return yield* usageError("--json and --csv exclude each other")
    const range = parseRange(o.from, Option.getOrUndefined(o.to))
    if (Either.isLeft(range)) return yield* usageError(range.left.message)
    const by = parseBy(Option.getOrUndefined(o.by))
    if (Either.isLeft(by)) return yield* usageError(by.left)
    const from = range.right.from!
    const to = range.right.to ?? new Date()
    const db = yield* Db
    const orders = yield* db.query("Report.orders", (sql) => reportOrders(sql, from, to))
    const result = aggregate(orders, by.right)
    if (o.json) return yield* printJson({ from: from.toISOString(), to: to.toISOString(), by: by.right, ...result })
    if (o.csv)
      return yield* print(
        stringify(
          result.rows.map((r) => [
            ...by.right.map((d) => r.group[d] ?? ""),
            ...FIGURES.map((k) => r[k]),
            r.deliveryShare === null ? "" : r.deliveryShare.toFixed(4)
          ]),
          { header: true, columns: [...by.right, ...FIGURES, "delivery_share"] }
        ).trimEnd()
      )
    yield* print(`orders placed from ${from.toISOString()} to ${to.toISOString()}`)
    const head = [...by.right.map((d) => d.toUpperCase()), ...FIGURES.map((k) => k.toUpperCase()), "DELIVERY SHARE"]
    const rows =
      by.right.length === 0
        ? [cells(result.totals)]
        : [
            ...result.rows.map((r) => [...by.right.map((d) => r.group[d] ?? "-"), ...cells(r)]),
            [...by.right.map((_, i) => (i === 0 ? "total" : "")), ...cells(result.totals)]
          ]
    yield* print(table(head, rows))
  }).pipe(withDatabaseReady)
