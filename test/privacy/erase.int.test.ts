// GDPR erasure: after `erase`, the subject's email, its hash and the other personal data appear in no
// event and no view row, the audit trail is otherwise intact and still decodes, and the app role
// still cannot change the log.
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import type { Sql } from "../../src/db/Db.js"
import { decodeStored } from "../../src/events/EventStore.js"
import { readOrder as orderLog } from "../../src/events/reads.js"
import { readStream } from "../../src/events/store.js"
import { timeline } from "../../src/orders/timeline.js"
import { executeErasure, planErasure } from "../../src/privacy/erase.js"
import { appSql, ownerSql } from "../support/db.js"
import { eventually, fakeServer } from "../support/fakeServer.js"
import { type RunningService, startService } from "../support/service.js"
import { post, shopifyHeaders } from "../support/signers.js"

const EMAIL = "lena.mueller@example.de"
const HASH = createHash("sha256").update(EMAIL).digest("hex")
let service: RunningService
let sql: Sql
let owner: Sql

beforeAll(async () => {
  const partner = await fakeServer()
  service = await startService({
    worker: true,
    env: { E_SECRET: "shpss_erase" },
    config: `
sources: [{ id: shop, kind: shopify, company: acme, secret: env:E_SECRET }]
partners: [{ id: awin, when: [awc] }]
targets: [{ id: awin, channel: postback, url: "${partner.url}/t?ref={order_id}&cks={click_id}&em={email_sha256}" }]
rules: [{ id: r, company: "*", product: "*", partner: awin, target: awin }]
`
  })
  sql = appSql(service.databaseUrl)
  owner = ownerSql(service.databaseUrl)
  const order = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>
  for (const id of [1, 2]) {
    const body = JSON.stringify({
      ...order,
      id,
      admin_graphql_api_id: `gid://shopify/Order/${id}`,
      landing_site: "/?awc=1_x"
    })
    await post(
      `${service.baseUrl}/webhooks/shop`,
      body,
      shopifyHeaders(body, "shpss_erase", { "x-shopify-webhook-id": `e-${id}` })
    )
  }
  await eventually(async () => {
    const rows = await sql`select count(*)::int as n from conversions where dispatch_state = 'delivered'`
    return (rows[0]!.n as number) === 2 ? true : undefined
  })
})

const mentions = async (needle: string) =>
  Number((await sql`select count(*)::int as n from events where position(${needle} in lower(data::text)) > 0`)[0]!.n)

describe("s2s erase", () => {
  it("blanks the subject's personal data everywhere and records the erasure", async () => {
    expect(await mentions(EMAIL)).toBeGreaterThan(0)
    expect(await mentions(HASH)).toBeGreaterThan(0)
    const plan = await planErasure(owner, " Lena.Mueller@Example.DE ")
    expect([...plan.orderKeys].sort()).toEqual(["shop:1", "shop:2"])
    const result = await executeErasure(owner, plan, "cli:dpo", "ticket 42")
    expect(result.events).toBeGreaterThanOrEqual(6)
    expect(await mentions(EMAIL)).toBe(0)
    expect(await mentions(HASH)).toBe(0)
    expect(await mentions("+49 151")).toBe(0)
    expect(await mentions("203.0.113.42")).toBe(0)
    const views = await sql`select doc from conversions where order_key in ('shop:1', 'shop:2')`
    expect(JSON.stringify(views)).not.toContain(EMAIL)

    // What happened is still all there, and decodes.
    const stream = (await readStream(sql, "order-shop:1")).map(decodeStored)
    expect(stream.map((e) => e.event._tag)).toContain("DispatchSucceeded")
    const normalized = stream.find((e) => e.event._tag === "OrderNormalized")!.event
    expect(normalized._tag === "OrderNormalized" && normalized.order.value).toEqual({
      amountMinor: 6326,
      currency: "EUR"
    })
    const [record] = await sql`select data from events where type = 'SubjectErased'`
    expect(record!.data).toMatchObject({ orderKeys: ["shop:1", "shop:2"], actor: "cli:dpo", reason: "ticket 42" })
    expect(JSON.stringify(record!.data)).not.toContain(EMAIL)

    // The erasure is part of each erased order's story, once, after everything it blanked.
    for (const key of ["shop:1", "shop:2"]) {
      const log = (await orderLog(sql, key)).map(decodeStored)
      expect(log.filter((e) => e.event._tag === "SubjectErased")).toHaveLength(1)
      expect(log.at(-1)!.event._tag).toBe("SubjectErased")
      expect(timeline(log).at(-1)).toMatchObject({
        stage: "operator",
        status: "erased",
        what: expect.stringMatching(
          /^personal data erased by cli:dpo \(\d+ event\(s\), \d+ view row\(s\), 2 order\(s\), \d+ row\(s\) scrubbed\): ticket 42$/
        )
      })
    }
    expect((await orderLog(sql, "shop:3")).map((e) => e.type)).not.toContain("SubjectErased")
  })

  it("leaves the log append-only for the app role and for the owner outside an erasure", async () => {
    await expect(sql`update events set data = '{}' where type = 'OrderNormalized'`).rejects.toThrow()
    await expect(
      sql.begin(async (tx) => {
        await tx`set local s2s.erasure = 'on'`
        await tx`update events set data = '{}' where type = 'OrderNormalized'`
      })
    ).rejects.toThrow()
    await expect(owner`update events set data = '{}' where type = 'OrderNormalized'`).rejects.toThrow(/append-only/)
    await expect(
      owner.begin(async (tx) => {
        await tx`set local s2s.erasure = 'on'`
        await tx`delete from events where type = 'OrderNormalized'`
      })
    ).rejects.toThrow(/append-only/)
  })
})
