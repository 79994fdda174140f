// s2s_enqueue (sql/0003_jobs.sql) plans add_jobs once per connection, and those plans must stay index plans
// when the jobs table grows after they were made: a plan cached while the table was empty must not
// scan every queued job on each later call. The test makes the plans on an empty table, grows the
// table in the same session, and reads the plan add_jobs then runs (auto_explain, nested statements,
// sent to the client as LOG notices).
import postgres from "postgres"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freshDatabase } from "../support/db.js"

let session: postgres.Sql
const notices: Array<string> = []

beforeAll(async () => {
  const url = await freshDatabase()
  // One connection: plans are cached per session.
  session = postgres(url, { max: 1, onnotice: (n) => notices.push(String(n.message)) })
})
afterAll(() => session.end({ timeout: 5 }))

const enqueue = (specs: ReadonlyArray<Record<string, unknown>>) =>
  session`select s2s_enqueue(${JSON.stringify(specs)}::text::json)`

const spec = (key: string) => ({ identifier: "probe-task", payload: { key }, job_key: key, max_attempts: 3 })

describe("s2s_enqueue", () => {
  it("keeps index plans for add_jobs after the jobs table has grown", async () => {
    // Plans made on an empty jobs table (more than five calls: past the custom-plan trial).
    for (let i = 0; i < 10; i++) await enqueue([spec(`early-${i}`)])
    await enqueue(Array.from({ length: 5000 }, (_, i) => spec(`bulk-${i}`)))

    await session`load 'auto_explain'`
    await session`set auto_explain.log_min_duration = 0`
    await session`set auto_explain.log_nested_statements = on`
    await session`set client_min_messages = log`
    notices.length = 0
    await enqueue([spec("bulk-17"), spec("late-1")])
    await session`set client_min_messages = notice`

    const plans = notices.filter((n) => n.includes("_private_jobs"))
    const update = plans.find((n) => /update\s+"?graphile_worker"?\._private_jobs/i.test(n))
    expect(update, plans.join("\n----\n")).toBeDefined()
    expect(update).toMatch(/Index (Only )?Scan using \w+ on _private_jobs|Bitmap Index Scan on \w+/)
    for (const plan of plans) expect(plan).not.toMatch(/Seq Scan on _private_jobs/)

    // add_jobs' semantics are unchanged: a pending job with the same key is replaced, not doubled.
    const [row] = await session<Array<{ jobs: string; revision: number }>>`
      select count(*)::text as jobs, max(revision) filter (where key = 'bulk-17') as revision
      from graphile_worker._private_jobs`
    expect(row).toEqual({ jobs: "5011", revision: 1 })
  })
})
