import { randomUUID } from "node:crypto"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { rawBody } from "../../src/ingest/body.js"
import { commitDeliveries, type Delivery } from "../../src/ingest/GroupCommit.js"
import { commitKeyedDelivery, lockKey } from "../../src/ingest/idempotency.js"
import { appSql, freshDatabase } from "../support/db.js"
import { lockAwaited } from "../support/wait.js"

let sql: Sql
beforeAll(async () => {
  sql = appSql(await freshDatabase())
})

const delivery = (id: string, body: string): Delivery => ({
  streamId: `webhook-${id}`,
  received: {
    _tag: "WebhookReceived",
    webhookId: id,
    sourceId: "custom",
    kind: "generic",
    dedupKey: "order-1",
    headers: { "idempotency-key": "order-1" },
    receivedAt: new Date().toISOString(),
    body: rawBody(Buffer.from(body))
  },
  job: { task: "normalize-webhook", payload: { webhookId: id } },
  metadata: {}
})

const typesOf = async (id: string) =>
  (
    await sql<
      Array<{ type: string }>
    >`select type from events where stream_id = ${`webhook-${id}`} order by stream_version`
  ).map((r) => r.type)

describe("commitKeyedDelivery", () => {
  it("records the first body, a duplicate for the same body, and nothing for a different one", async () => {
    const id = randomUUID()
    expect(await commitKeyedDelivery(sql, delivery(id, '{"total":"1.00"}'))).toEqual({ _tag: "Received" })
    expect(await commitKeyedDelivery(sql, delivery(id, '{"total":"1.00"}'))).toEqual({ _tag: "Duplicate" })
    expect(await commitKeyedDelivery(sql, delivery(id, '{"total":"2.00"}'))).toEqual({ _tag: "KeyReused" })
    expect(await typesOf(id)).toEqual(["WebhookReceived", "WebhookDuplicateReceived"])
  })

  it("refuses a different body that arrives while the first delivery of the key is still committing", async () => {
    const id = randomUUID()
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let locked!: () => void
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve
    })
    // The first delivery, paused between its append and its commit.
    const first = sql.begin(async (tx) => {
      await lockKey(tx, `webhook-${id}`)
      const outcome = await commitDeliveries(tx, [delivery(id, '{"total":"1.00"}')])
      locked()
      await held
      return outcome
    })
    await lockTaken
    const second = commitKeyedDelivery(sql, delivery(id, '{"total":"2.00"}'))
    await lockAwaited(sql)
    release()
    expect(await first).toEqual([{ _tag: "Received" }])
    expect(await second).toEqual({ _tag: "KeyReused" })
    expect(await typesOf(id)).toEqual(["WebhookReceived"])
  })
})
