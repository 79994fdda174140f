import { Effect, Either, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { ConfigState, ConfigStateLive } from "../../src/config/ConfigState.js"
import { parseConfig } from "../../src/config/load.js"
import { SecretsLive } from "../../src/config/Secrets.js"
import { EventStore } from "../../src/events/EventStore.js"
import { dbLayer, freshDatabase } from "../support/db.js"

let layer: Layer.Layer<ConfigState | EventStore>
beforeAll(async () => {
  const url = await freshDatabase()
  layer = ConfigStateLive.pipe(Layer.provideMerge(Layer.merge(dbLayer(url), SecretsLive)), Layer.orDie)
})

const file = (yaml: string) => Either.getOrThrow(parseConfig(yaml, "s2s.yaml"))

const v1 = file(`
sources: [{ id: shop-de, kind: shopify, company: acme, secret: env:S }]
targets: [{ id: awin, channel: postback, url: "https://x.test/?r={order_id}" }]
rules:
  - { id: r1, company: acme, product: "*", partner: awin, target: awin }
  - { id: r2, company: "*", product: "sample-*", partner: "*", exclude: true }
`)
const v2 = file(`
sources: [{ id: shop-de, kind: shopify, company: acme, market: DE, secret: env:S }]
targets: [{ id: awin, channel: postback, url: "https://x.test/?r={order_id}" }]
rules:
  - { id: r1, company: "acme*", product: "*", partner: awin, target: awin }
`)

const run = <A, E>(effect: Effect.Effect<A, E, ConfigState | EventStore>) =>
  Effect.runPromise(Effect.scoped(effect.pipe(Effect.provide(layer))))

describe("config apply", () => {
  it("records each difference as an event, with the actor, and nothing when applied again", async () => {
    const first = await run(Effect.flatMap(ConfigState, (s) => s.apply(v1, { actor: "cli:alice" })))
    expect(first.events).toBe(4)
    const again = await run(Effect.flatMap(ConfigState, (s) => s.apply(v1, { actor: "cli:alice" })))
    expect(again).toEqual({ events: 0, changes: [] })

    const second = await run(Effect.flatMap(ConfigState, (s) => s.apply(v2, { actor: "cli:bob" })))
    expect(second.changes).toEqual(["SourceChanged (source:shop-de)", "RuleChanged (rule:r1)", "RuleRemoved (rule:r2)"])
    const history = await run(Effect.flatMap(EventStore, (s) => s.readStream("config:rule:r1")))
    expect(history.map((e) => [e.event._tag, e.metadata.actor])).toEqual([
      ["RuleDefined", "cli:alice"],
      ["RuleChanged", "cli:bob"]
    ])
    const changed = history[1]!.event
    expect(changed._tag === "RuleChanged" && changed.changedFields).toEqual(["company"])
    expect(changed._tag === "RuleChanged" && changed.previous.company).toBe("acme")

    const state = await run(Effect.flatMap(ConfigState, (s) => s.refresh))
    expect(state.rules.map((r) => r.id)).toEqual(["r1"])
    expect(state.sources.get("shop-de")?.market).toBe("DE")
  })

  it("never writes a secret's value into the log", async () => {
    process.env.S = "super-secret-value"
    await run(Effect.flatMap(ConfigState, (s) => s.apply(v1, { actor: "cli:alice" })))
    const all = await run(Effect.flatMap(EventStore, (s) => s.readAll({ transactionId: "0", position: 0 }, 1000)))
    expect(JSON.stringify(all)).not.toContain("super-secret-value")
  })
})
