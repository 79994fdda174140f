// The query KEDA's PostgreSQL scaler runs (deploy/kubernetes/keda.yaml) works as the application's
// role, which may not read graphile-worker's tables directly, and counts the work waiting and running:
// a job, or each item of a batch job.
import * as fs from "node:fs"
import { describe, expect, it } from "vitest"
import { parseAllDocuments } from "yaml"
import { enqueueJobs } from "../../src/events/store.js"
import { appSql, freshDatabase } from "../support/db.js"

const query = parseAllDocuments(fs.readFileSync("deploy/kubernetes/keda.yaml", "utf8"))
  .map((d) => d.toJS() as { kind: string; spec: { triggers?: Array<{ metadata: { query: string } }> } })
  .find((m) => m.kind === "ScaledObject")!.spec.triggers![0]!.metadata.query

describe("the KEDA queue-depth query", () => {
  it("runs as the app role and counts the queued jobs", async () => {
    const sql = appSql(await freshDatabase())
    const depth = async () => Number(Object.values((await sql.unsafe(query))[0]!)[0])
    const before = await depth()
    await enqueueJobs(sql, [
      { task: "normalize-webhook", payload: { webhookId: "keda-1" } },
      { task: "normalize-webhook", payload: { webhookId: "keda-2" } }
    ])
    expect(await depth()).toBe(before + 2)
    // A batch job counts its items (sql/0013_job_counts_items.sql): three dispatches, one job.
    await enqueueJobs(sql, [
      {
        task: "dispatch-batch",
        payload: [{ n: 1 }, { n: 2 }],
        jobKey: "dispatch-batch:keda:0",
        queueName: "dispatch-batch:keda:0"
      },
      {
        task: "dispatch-batch",
        payload: [{ n: 3 }],
        jobKey: "dispatch-batch:keda:0",
        queueName: "dispatch-batch:keda:0"
      }
    ])
    expect(await depth()).toBe(before + 5)
    // graphile-worker's tables themselves are the owner's: the function is the way in.
    await expect(sql`select count(*) from graphile_worker._private_jobs`).rejects.toThrow()
  })
})
