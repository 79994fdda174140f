// rebuild: the conversions projection rebuilt (src/projections/rebuild.ts) from a log of 1M events
// (--events N), on a database of its own (the event log refuses DELETE, so it cannot be emptied).
// The log is generated in SQL from one order stream built with the event schemas (template.ts):
// 9 events per order, order numbers substituted, event_streams rows included.
// Baseline, same run and database: a sequential read of the events table through postgres.js (a
// cursor of 5,000 rows, in the projection's read order). A middle row (read + decode, no writes)
// shows what decoding costs.
import { makeSql } from "../../src/db/Db.js"
import { decodeStored } from "../../src/events/EventStore.js"
import { conversions } from "../../src/projections/conversions.js"
import { rebuild } from "../../src/projections/rebuild.js"
import {
  type BenchDatabase,
  type BenchOptions,
  cpuPercent,
  cpuSample,
  describeCpu,
  markLoad,
  note,
  postmasterPid,
  record
} from "./support.js"
import { N, storedTemplate } from "./template.js"

const CHUNK_ORDERS = 10_000

interface Row {
  global_position: string
  transaction_id: string
  stream_id: string
  stream_version: string
  event_id: string
  type: string
  schema_version: number
  data: unknown
  metadata: Record<string, unknown>
  recorded_at: Date
}

/** Generates `orders` order streams in chunks; returns the number of events. */
const generate = async (url: string, orders: number) => {
  const owner = makeSql(url, { max: 1, role: null })
  const template = storedTemplate()
  const types = template.map((t) => t.type)
  const datas = template.map((t) => t.data)
  const versions = template.map((_, i) => i + 1)
  const metadata = JSON.stringify({ actor: "worker", correlationId: `shop-bench:${N}` })
  const started = performance.now()
  try {
    await owner`set synchronous_commit = off`
    for (let from = 1; from <= orders; from += CHUNK_ORDERS) {
      const to = Math.min(orders, from + CHUNK_ORDERS - 1)
      await owner.begin(async (tx) => {
        await tx`
          insert into event_streams (stream_id, version)
          select 'order-shop-bench:' || o, ${template.length} from generate_series(${from}::int, ${to}::int) o`
        await tx`
          insert into events (stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at)
          select 'order-shop-bench:' || o, t.v, gen_random_uuid(), t.type, 1,
                 replace(t.data, ${N}, o::text)::jsonb, replace(${metadata}, ${N}, o::text)::jsonb,
                 timestamptz '2026-11-25 10:00:00+00' + o * interval '100 ms' + t.v * interval '5 ms'
          from generate_series(${from}::int, ${to}::int) o
          cross join unnest(${types}::text[], ${datas}::text[], ${versions}::int[]) as t(type, data, v)
          order by o, t.v`
      })
      if (to % 50_000 === 0 || to === orders) process.stdout.write(`  generated ${to * template.length} events\r`)
    }
    process.stdout.write("\n")
    // A live table is vacuumed and analyzed by autovacuum; do it now rather than mid-measurement.
    await owner.unsafe("vacuum analyze events")
    await owner.unsafe("vacuum analyze event_streams")
    const [size] = await owner<Array<{ size: string }>>`select pg_size_pretty(pg_total_relation_size('events')) as size`
    note(
      "rebuild",
      `log generated: ${orders * template.length} events (${orders} orders x ${template.length}), events table ${size?.size}, in ${((performance.now() - started) / 1000).toFixed(0)} s`
    )
  } finally {
    await owner.end()
  }
  return orders * template.length
}

const sequentialRead = async (url: string, decode: boolean) => {
  const sql = makeSql(url, { max: 1 })
  let n = 0
  const started = performance.now()
  try {
    await sql<Array<Row>>`
      select global_position, transaction_id::text, stream_id, stream_version, event_id::text, type,
             schema_version, data, metadata, recorded_at
      from events order by transaction_id, global_position`.cursor(5000, (rows) => {
      n += rows.length
      if (decode)
        for (const r of rows)
          decodeStored({
            globalPosition: Number(r.global_position),
            transactionId: r.transaction_id,
            streamId: r.stream_id,
            streamVersion: Number(r.stream_version),
            eventId: r.event_id,
            type: r.type,
            schemaVersion: r.schema_version,
            data: r.data,
            metadata: r.metadata,
            recordedAt: r.recorded_at
          })
    })
  } finally {
    await sql.end()
  }
  return { events: n, perSecond: n / ((performance.now() - started) / 1000) }
}

export const rebuildBench = async (db: BenchDatabase, options: BenchOptions) => {
  const wanted = options.events ?? 1_000_000
  const orders = Math.max(1, Math.round(wanted / storedTemplate().length))
  const url = await db.fresh("rebuild")
  const events = await generate(url, orders)
  const groups = { postgres: await postmasterPid(db) }

  markLoad(`rebuild, ${events} events`)
  const read = await sequentialRead(url, false)
  if (read.events !== events) throw new Error(`read ${read.events} events, expected ${events}`)
  record({
    benchmark: "rebuild",
    case: `baseline: sequential read, cursor 5000, ${events} events`,
    value: read.perSecond,
    unit: "events/s"
  })
  const decoded = await sequentialRead(url, true)
  record({
    benchmark: "rebuild",
    case: "read + decode (Schema), no writes",
    value: decoded.perSecond,
    unit: "events/s",
    baseline: read.perSecond,
    ratio: decoded.perSecond / read.perSecond
  })

  const pool = makeSql(url, { max: 4 })
  try {
    // rebuild() starts with this count, for its progress total: a full pass over the log of its own.
    const types = [...conversions.eventTypes]
    const countStarted = performance.now()
    await pool`select count(*) as n from events where type = any(${types}::text[])`
    const countSeconds = (performance.now() - countStarted) / 1000
    const before = cpuSample(groups)
    const report = await rebuild(pool, conversions)
    const cpu = cpuPercent(before, cpuSample(groups))
    const rate = report.events / (report.durationMs / 1000)
    record({
      benchmark: "rebuild",
      case: `conversions projection, ${report.events} events`,
      value: rate,
      unit: "events/s",
      baseline: read.perSecond,
      ratio: rate / read.perSecond,
      target: ">= 50,000 events/s"
    })
    note(
      "rebuild",
      `${report.events} events -> ${report.rows} rows in ${(report.durationMs / 1000).toFixed(1)} s (of which ~${countSeconds.toFixed(1)} s is the progress count(*) it runs first, timed separately); CPU: ${describeCpu(cpu).replace("service ?, ", "").replace("load generator", "rebuild (this process)")}`
    )
    if (report.rows !== orders) note("rebuild", `expected ${orders} rows, the projection has ${report.rows}`)
  } finally {
    await pool.end()
  }
}
