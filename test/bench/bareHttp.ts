// Bare node:http servers for the ingest benchmark's ceiling cases, run as a child process (so they
// never share the load generator's event loop); each prints its port on stdout.
//
//   bareHttp.ts                  reads the body and answers 202, touching no database
//   bareHttp.ts URL insert       the least any durable webhook ingest does: checks the Shopify HMAC
//                                (node:crypto, constant time), parses the JSON, and answers 202 once
//                                the body is committed; concurrent requests share one transaction, a
//                                multi-row INSERT into the baseline's table (adaptive group commit, two
//                                in flight, as the service's committer)
//   bareHttp.ts URL insert-jobs  the same plus one add_jobs call per batch with one job per webhook
//                                (through s2s_enqueue, as the service)
//
// No event store, no dedup, no Effect: what is left is HTTP, the signature, JSON and PostgreSQL.
import { createHmac, timingSafeEqual } from "node:crypto"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import postgres from "postgres"
import { SHOPIFY_SECRET } from "./load.js"

const [url, mode] = process.argv.slice(2)
const ANSWER = '{"webhookId":"00000000-0000-8000-8000-000000000000","duplicate":false}'

const answer = (res: ServerResponse, status: number, text: string) => {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
  res.end(text)
}

interface Pending {
  readonly body: string
  readonly res: ServerResponse
}

const committer = (sql: postgres.Sql, withJobs: boolean) => {
  const queue: Array<Pending> = []
  let inFlight = 0
  let scheduled = false
  const commit = async (batch: ReadonlyArray<Pending>) => {
    const bodies = JSON.stringify(batch.map((p) => p.body))
    try {
      if (withJobs) {
        const jobs = JSON.stringify(batch.map((_, i) => ({ identifier: "bench-noop", payload: { i } })))
        await sql`with rows as (
            insert into bench_ingest_baseline (body) select value from jsonb_array_elements(${bodies}::text::jsonb)
            returning id)
          select (select count(*) from rows), s2s_enqueue(${jobs}::text::json)`
      } else {
        await sql`insert into bench_ingest_baseline (body) select value from jsonb_array_elements(${bodies}::text::jsonb)`
      }
      for (const p of batch) answer(p.res, 202, ANSWER)
    } catch (error) {
      for (const p of batch) answer(p.res, 503, JSON.stringify({ error: String(error) }))
    }
  }
  const pump = () => {
    scheduled = false
    while (queue.length > 0 && inFlight < 2) {
      const batch = queue.splice(0, 200)
      inFlight++
      void commit(batch).finally(() => {
        inFlight--
        if (queue.length > 0) schedule()
      })
    }
  }
  const schedule = () => {
    if (scheduled) return
    scheduled = true
    setImmediate(pump)
  }
  return (p: Pending) => {
    queue.push(p)
    schedule()
  }
}

const sql = url === undefined ? undefined : postgres(url, { max: 2, onnotice: () => {} })
const submit = sql === undefined ? undefined : committer(sql, mode === "insert-jobs")
const secret = Buffer.from(SHOPIFY_SECRET)

const server = createServer((req, res) => {
  const chunks: Array<Buffer> = []
  req.on("data", (chunk: Buffer) => chunks.push(chunk))
  req.on("end", () => {
    if (submit === undefined) return answer(res, 202, ANSWER)
    const raw = Buffer.concat(chunks)
    const expected = createHmac("sha256", secret).update(raw).digest()
    const given = Buffer.from(String(req.headers["x-shopify-hmac-sha256"] ?? ""), "base64")
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return answer(res, 401, '{"error":"invalid_signature"}')
    const text = raw.toString("utf8")
    try {
      JSON.parse(text)
    } catch {
      return answer(res, 400, '{"error":"invalid_payload"}')
    }
    submit({ body: text, res })
  })
})
server.listen(0, "127.0.0.1", () => console.log((server.address() as AddressInfo).port))
process.on("SIGTERM", () =>
  server.close(() => void (sql?.end({ timeout: 5 }) ?? Promise.resolve()).then(() => process.exit(0)))
)
