// `s2s rules list` and `s2s rules explain` as an operator runs them: the real binary against a
// database holding two applied configurations and one planned order.
import { Effect, Either, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { ConfigState, ConfigStateLive } from "../../src/config/ConfigState.js"
import { parseConfig } from "../../src/config/load.js"
import { EventStore } from "../../src/events/EventStore.js"
import type { RuleExplanation, RulesList } from "../../src/rules/RulesApi.js"
import { makeOrder } from "../dispatch/channels/support/orders.js"
import { s2s } from "../orders/support.js"
import { dbLayer, freshDatabase } from "../support/db.js"

let url: string

const config = (rules: string) => `
sources:
  - { id: shop-de, kind: shopify, company: acme, market: DE, secret: env:X_SECRET }
targets:
  - { id: awin, channel: postback, url: "https://www.awin1.com/sread.php?ref={order_id}" }
rules:
${rules}`

const apply = (text: string, actor: string) => {
  const file = parseConfig(text, "s2s.yaml")
  if (Either.isLeft(file)) throw file.left
  return Effect.flatMap(ConfigState, (state) => state.apply(file.right, { actor }))
}

beforeAll(async () => {
  url = await freshDatabase()
  const order = makeOrder("DE", { orderKey: "shop-de:8001", platformOrderId: "8001", partner: "awin" })
  await Effect.runPromise(
    Effect.gen(function* () {
      yield* apply(
        config(`
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }
  - { id: no-samples, company: "*", product: "sample-*", partner: "*", exclude: true }`),
        "cli:alice"
      )
      const store = yield* EventStore
      yield* store.append("order-shop-de:8001", "no_stream", [
        { _tag: "OrderNormalized", webhookId: "wh-8001", order, parserVersion: 1 },
        {
          _tag: "DispatchPlanned",
          orderKey: "shop-de:8001",
          targets: [{ targetId: "awin", channel: "postback", ruleId: "awin-all", kind: "conversion" }],
          decisions: [
            { ruleId: "awin-all", outcome: "matched", detail: "routes to awin (specificity 1)" },
            { ruleId: "no-samples", outcome: "not_matched", detail: 'product: "vitamins" does not match "sample-*"' }
          ],
          trigger: "paid"
        }
      ])
      // Later, an exclusion for acme is added ahead of the catch-all rule.
      yield* apply(
        config(`
  - { id: no-acme, company: acme, product: "*", partner: "*", exclude: true, description: "paused" }
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin }`),
        "cli:bob"
      )
    }).pipe(Effect.provide(Layer.provideMerge(ConfigStateLive, dbLayer(url))))
  )
})

describe("s2s rules list", () => {
  it("prints the current rules in position order and their history", async () => {
    const { code, stdout } = await s2s(["rules", "list"], url)
    expect(code).toBe(0)
    const [first, second] = stdout.split("\n")
    expect(first).toMatch(/^no-acme\s+acme\/\*\/\*\s+exclude \*\s+paused$/)
    expect(second).toMatch(/^awin-all\s+\*\/\*\/awin\s+-> awin$/)
    expect(stdout).toContain("History:")
    expect(stdout).toMatch(/no-samples\s+RuleDefined\s+cli:alice/)
    expect(stdout).toMatch(/no-samples\s+RuleRemoved\s+cli:bob/)
    expect(stdout).toMatch(/awin-all\s+RuleChanged\s+cli:bob\s+position/)
  })

  it("prints the API's document with --json", async () => {
    const list = JSON.parse((await s2s(["rules", "list", "--json"], url)).stdout) as RulesList
    expect(list.rules.map((r) => r.ruleId)).toEqual(["no-acme", "awin-all"])
    expect(list.removed.map((r) => [r.ruleId, r.history.map((h) => h.type)])).toEqual([
      ["no-samples", ["RuleDefined", "RuleRemoved"]]
    ])
  })
})

describe("s2s rules explain", () => {
  it("explains the order with the current rules, then what was recorded when it was planned", async () => {
    const { code, stdout } = await s2s(["rules", "explain", "shop-de:8001"], url)
    expect(code).toBe(0)
    expect(stdout).toContain("Order shop-de:8001: company acme, products vitamins, partner awin")
    expect(stdout).toContain("Targets: none")
    expect(stdout).toMatch(/awin-all\s+-> awin\s+excluded_by\s+excluded by rule no-acme/)
    expect(stdout).toMatch(/Recorded at \S+ \(trigger paid\): awin \(conversion, rule awin-all\)/)
    expect(stdout).toMatch(/no-samples\s+not_matched/)
  })

  it("prints JSON with --json and fails with exit 1 for an unknown order", async () => {
    const json = JSON.parse((await s2s(["rules", "explain", "shop-de:8001", "--json"], url)).stdout) as RuleExplanation
    expect(json.targets).toEqual([])
    expect(json.decisions.map((d) => [d.ruleId, d.outcome])).toEqual([
      ["no-acme", "excluded"],
      ["awin-all", "excluded_by"]
    ])
    expect(json.planned.map((p) => p.targets.map((t) => t.targetId))).toEqual([["awin"]])
    const unknown = await s2s(["rules", "explain", "shop-de:404"], url)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain("no order shop-de:404")
  })
})
