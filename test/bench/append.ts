// Raw append throughput: events/s through the event store's append (event + stream version CAS in
// one transaction) at batch sizes 1, 10 and 100, 8 concurrent writers, beside a bare one-row durable
// INSERT of the same payload with the same concurrency, measured in the same run.
import { randomUUID } from "node:crypto"
import { makeSql } from "../../src/db/Db.js"
import { appendStreams } from "../../src/events/store.js"
import { type BenchDatabase, record, throughput } from "./support.js"

const PAYLOAD = { note: "x".repeat(900), n: 1 }

export const appendBench = async (db: BenchDatabase, seconds: number) => {
  const sql = makeSql(db.url, { max: 8 })
  const owner = makeSql(db.url, { max: 2, role: null })
  await owner`create table if not exists bench_baseline (id bigint generated always as identity primary key, data jsonb not null)`
  await owner`grant select, insert on bench_baseline to s2s_app`
  const concurrency = 8
  const baseline = await throughput(concurrency, seconds * 1000, async () => {
    await sql`insert into bench_baseline (data) values (${sql.json(PAYLOAD)})`
    return 1
  })
  record({ benchmark: "append", case: "baseline: bare 1-row INSERT, 8 clients", value: baseline, unit: "rows/s" })
  for (const batch of [1, 10, 100]) {
    const events = Array.from({ length: batch }, () => ({ type: "BenchNoted", data: PAYLOAD }))
    const value = await throughput(concurrency, seconds * 1000, async () => {
      await sql.begin((tx) =>
        appendStreams(tx, [{ streamId: `bench-${randomUUID()}`, expectedVersion: "no_stream", events }])
      )
      return batch
    })
    record({
      benchmark: "append",
      case: `batch ${batch}, 8 writers`,
      value,
      unit: "events/s",
      baseline,
      ratio: value / baseline
    })
  }
  await sql.end()
  await owner.end()
}
