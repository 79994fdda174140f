// s2s_click_ids (sql/0017_click_ids_inline.sql): the click ids the orders search finds an order by,
// one inlinable expression, so the search's condition is answered by the conversions_click_ids index
// and no row write runs a function call of its own.
import postgres from "postgres"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freshDatabase } from "../support/db.js"

let sql: postgres.Sql
beforeAll(async () => {
  sql = postgres(await freshDatabase(), { max: 1, onnotice: () => {} })
})
afterAll(() => sql.end({ timeout: 5 }))

/** The ids, sorted (a jsonb object keeps its keys in an order of its own). */
const ids = async (tracking: unknown) => {
  const [row] = await sql<Array<{ ids: Array<string> }>>`
    select s2s_click_ids(${sql.json({ order: { order: { tracking } } } as never)}::jsonb) as ids`
  return [...row!.ids].sort()
}

describe("s2s_click_ids", () => {
  it("gives the non-empty click ids of tracking and of its clickIds, nothing for anything else", async () => {
    expect(
      await ids({
        gclid: "Cj0KCQ",
        gbraid: "",
        wbraid: null,
        fbclid: "IwAR2",
        fbc: "fb.1.1764065583000.IwAR2",
        utmSource: "google",
        clickIds: { awc: "1001_1732871512_abc", empty: "", n: 5 }
      })
    ).toEqual(["1001_1732871512_abc", "Cj0KCQ", "IwAR2", "fb.1.1764065583000.IwAR2"])
    expect(await ids({})).toEqual([])
    expect(await ids(null)).toEqual([])
    expect(await ids(["not", "an", "object"])).toEqual([])
  })

  it("answers the search by click id from the index", async () => {
    await sql`set enable_seqscan = off`
    const plan = await sql<Array<{ "QUERY PLAN": string }>>`
      explain select order_key from conversions
      where s2s_click_ids(doc) @> jsonb_build_array(${"Cj0KCQ"}::text)`
    expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("conversions_click_ids")
  })
})
