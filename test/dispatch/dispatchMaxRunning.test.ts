import { ConfigProvider, Effect } from "effect"
import { describe, expect, it } from "vitest"
import { DispatchLimitsConfig, defaultDispatchMaxRunning } from "../../src/dispatch/Breakers.js"

const resolve = (env: Record<string, string>) =>
  Effect.runSync(Effect.withConfigProvider(DispatchLimitsConfig, ConfigProvider.fromMap(new Map(Object.entries(env)))))

describe("the dispatch jobs one process runs at once", () => {
  it("leave a quarter of the worker's slots to the other stages", () => {
    expect([1, 2, 3, 4, 8, 16, 32].map(defaultDispatchMaxRunning)).toEqual([1, 2, 3, 3, 6, 12, 24])
  })

  it("follow WORKER_CONCURRENCY, or DISPATCH_MAX_RUNNING when set; one target always leaves a slot", () => {
    expect(resolve({})).toEqual({ total: 12, perTarget: 15 })
    expect(resolve({ WORKER_CONCURRENCY: "2" })).toEqual({ total: 2, perTarget: 1 })
    expect(resolve({ WORKER_CONCURRENCY: "1" })).toEqual({ total: 1, perTarget: 1 })
    expect(resolve({ DISPATCH_MAX_RUNNING: "4" })).toEqual({ total: 4, perTarget: 15 })
    expect(resolve({ DISPATCH_MAX_RUNNING: "0" })).toEqual({ total: 1, perTarget: 15 })
  })
})
