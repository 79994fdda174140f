// Where planned dispatches go: one batch job per (target, shard), the shard picked by the order key
// among DISPATCH_SHARDS (default 4), so more worker processes can run more batches of one target.
import { ConfigProvider, Effect, Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { emptySnapshot } from "../../src/config/state.js"
import { emptyDispatchState, evolveDispatch } from "../../src/conversion/dispatch.js"
import { Rule, Target } from "../../src/events/configSchema.js"
import {
  DISPATCH_SHARDS,
  DispatchShards,
  dispatchBatchJob,
  planAdjustments,
  planConversion,
  shardOf
} from "../../src/rules/plan.js"
import { makeOrder } from "../dispatch/channels/support/orders.js"

const postback = (id: string) =>
  Schema.decodeUnknownSync(Target)({
    id,
    channel: "postback",
    url: `https://${id}.test/?o={order_id}`,
    statusChange: { url: `https://${id}.test/s?o={order_id}&s={status}` }
  })
const config = {
  ...emptySnapshot,
  targets: new Map(["awin", "belboon"].map((id) => [id, postback(id)])),
  partners: [{ id: "awin", when: ["awc"] }],
  rules: ["awin", "belboon"].map((target) =>
    Schema.decodeUnknownSync(Rule)({ id: `to-${target}`, company: "*", product: "*", partner: "awin", target })
  )
}
const keysOf = (jobs: ReadonlyArray<{ jobKey?: string | undefined }>) => jobs.map((j) => j.jobKey)

const orderKeys = Array.from({ length: 200 }, (_, i) => `shop-de:${1000 + i}`)

describe("dispatch batch keys", () => {
  it("spread orders over DISPATCH_SHARDS keys per target (4 unless set)", () => {
    expect(DISPATCH_SHARDS).toBe(4)
    const keys = (shards?: number) =>
      new Set(
        orderKeys.map((orderKey) => dispatchBatchJob({ orderKey, targetId: "awin", kind: "conversion" }, shards).jobKey)
      )
    expect([...keys()].sort()).toEqual([0, 1, 2, 3].map((s) => `dispatch-batch:awin:${s}`))
    expect(keys(1)).toEqual(new Set(["dispatch-batch:awin:0"]))
    expect(keys(16).size).toBe(16)
  })

  it("put one order's conversion and its adjustment under one key for a given count", () => {
    for (const shards of [1, 4, 16]) {
      const order = makeOrder("DE", {
        orderKey: "shop-de:4711",
        partner: "awin",
        tracking: { ...makeOrder().tracking, clickIds: { awc: "1001_1740000000_abc" } }
      })
      const conversion = planConversion(order, config, shards)
      expect(keysOf(conversion.jobs)).toEqual(
        ["awin", "belboon"].map((t) => `dispatch-batch:${t}:${shardOf("shop-de:4711", shards)}`)
      )
      // The conversions just planned (not yet sent) get adjustments too.
      const planned = conversion.events.reduce(
        (state, event) => evolveDispatch(state, event, "2026-12-07T00:00:00Z"),
        emptyDispatchState
      )
      const refund = planAdjustments(
        "shop-de:4711",
        { kind: "retraction", reason: "refunded" },
        planned,
        config,
        shards
      )
      expect(keysOf(refund.jobs)).toEqual(keysOf(conversion.jobs))
      // Each job is also its own queue: one batch of a key at a time.
      expect(conversion.jobs.map((j) => j.queueName)).toEqual(keysOf(conversion.jobs))
    }
  })

  it("read DISPATCH_SHARDS at start, refusing what is not a count from 1 to 256", () => {
    const read = (value?: string) =>
      Effect.runSync(
        Effect.either(DispatchShards).pipe(
          Effect.withConfigProvider(
            ConfigProvider.fromMap(new Map(value === undefined ? [] : [["DISPATCH_SHARDS", value]]))
          )
        )
      )
    expect(read()).toEqual(Either.right(4))
    expect(read("12")).toEqual(Either.right(12))
    for (const bad of ["0", "257", "-1", "four", "2.5"]) {
      const result = read(bad)
      expect(Either.isLeft(result), bad).toBe(true)
      if (Either.isLeft(result)) expect(String(result.left)).toContain("DISPATCH_SHARDS")
    }
    expect(String(Either.getLeft(read("0")).pipe((o) => (o._tag === "Some" ? o.value : "")))).toContain(
      "a whole number from 1 to 256"
    )
  })
})
