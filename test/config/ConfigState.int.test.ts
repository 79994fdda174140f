import { Effect, Either, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { ConfigState, ConfigStateLive } from "../../src/config/ConfigState.js"
import { parseConfig } from "../../src/config/load.js"
import { SecretsLive } from "../../src/config/Secrets.js"
import { streams } from "../../src/config/state.js"
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

describe("config apply, every kind of change", () => {
  const a = file(`
sources:
  - { id: all-shop, kind: shopify, company: acme, secret: env:S }
  - { id: all-old, kind: woocommerce, company: acme, secret: env:W }
products: [{ match: { sku: "VIT-*" }, product: vitamins }]
partners: [{ id: google, when: [gclid] }]
targets:
  - { id: all-awin, channel: postback, url: "https://x.test/?r={order_id}" }
  - { id: all-meta, channel: meta-capi, pixelId: "1", accessToken: env:M }
rules:
  - { id: all-r1, company: acme, product: "*", partner: google, target: all-awin }
  - { id: all-r2, company: acme, product: "*", partner: "*", target: all-meta }
alerts: { slack: { token: env:SLACK, channel: "#a" } }
`)
  const b = file(`
sources:
  - { id: all-shop, kind: shopify, company: acme, secret: env:S }
  - { id: all-new, kind: stripe, company: acme, secret: env:ST }
products: [{ match: { sku: "VIT-*" }, product: vitamins }, { match: { sku: "OM-*" }, product: omega }]
partners: [{ id: google, when: [gclid, gbraid] }]
targets:
  - { id: all-awin, channel: postback, url: "https://x.test/?r={order_id}&a={amount}" }
  - { id: all-google, channel: google-ads, customerId: "1234567890", conversionActionId: "1", credentials: env:G }
rules:
  - { id: all-r1, company: acme, product: "*", partner: google, target: all-google }
  - { id: all-r3, company: "*", product: "sample-*", partner: "*", exclude: true }
alerts: { slack: { token: env:SLACK, channel: "#b" } }
`)
  // Read by stream, not through readAll: readAll stops at the cluster-wide snapshot horizon, which an
  // open transaction in another test's database (on a shared server) holds back.
  const configStreams = [
    ...["all-shop", "all-old", "all-new"].map(streams.source),
    ...["all-awin", "all-meta", "all-google"].map(streams.target),
    ...["all-r1", "all-r2", "all-r3"].map(streams.rule),
    streams.products,
    streams.partners,
    streams.alerts
  ]
  const configEvents = () => run(Effect.flatMap(EventStore, (s) => s.readStreams(configStreams)))

  it("records each difference as its own event with actor, file and time, and nothing when re-applied", async () => {
    await run(Effect.flatMap(ConfigState, (s) => s.apply(a, { actor: "cli:carol", source: "config-file:a.yaml" })))
    const before = (await configEvents()).length
    const startedAt = Date.now()
    const result = await run(
      Effect.flatMap(ConfigState, (s) => s.apply(b, { actor: "cli:dave", source: "config-file:b.yaml" }))
    )
    expect(result.changes).toEqual([
      "SourceRegistered (source:all-new)",
      "SourceRemoved (source:all-old)",
      "TargetChanged (target:all-awin)",
      "TargetDefined (target:all-google)",
      "TargetRemoved (target:all-meta)",
      "RuleChanged (rule:all-r1)",
      "RuleDefined (rule:all-r3)",
      "RuleRemoved (rule:all-r2)",
      "ProductMappingsChanged (products)",
      "PartnerRulesChanged (partners)",
      "AlertSettingsChanged (alerts)"
    ])
    const appended = (await configEvents()).filter((e) => e.metadata.actor === "cli:dave")
    expect(appended.map((e) => e.event._tag).sort()).toEqual(
      [
        "SourceRegistered",
        "SourceRemoved",
        "TargetChanged",
        "TargetDefined",
        "TargetRemoved",
        "RuleChanged",
        "RuleDefined",
        "RuleRemoved",
        "ProductMappingsChanged",
        "PartnerRulesChanged",
        "AlertSettingsChanged"
      ].sort()
    )
    for (const e of appended) {
      expect(e.metadata).toMatchObject({ actor: "cli:dave", source: "config-file:b.yaml" })
      // The time of a config change is the event's recorded_at (README: Configuration).
      expect(e.recordedAt.getTime()).toBeGreaterThanOrEqual(startedAt - 5_000)
      expect(e.recordedAt.getTime()).toBeLessThanOrEqual(Date.now() + 5_000)
    }
    const byTag = new Map(appended.map((e) => [e.event._tag, e.event]))
    const targetChanged = byTag.get("TargetChanged")
    expect(targetChanged?._tag === "TargetChanged" && targetChanged.changedFields).toEqual(["url"])
    expect(byTag.get("SourceRemoved")).toMatchObject({ sourceId: "all-old" })
    expect(byTag.get("TargetRemoved")).toMatchObject({ targetId: "all-meta" })
    expect(byTag.get("ProductMappingsChanged")).toMatchObject({ mappings: b.products })
    expect(byTag.get("PartnerRulesChanged")).toMatchObject({ partners: b.partners })
    expect(byTag.get("AlertSettingsChanged")).toMatchObject({ alerts: { slack: { channel: "#b" } } })

    const again = await run(
      Effect.flatMap(ConfigState, (s) => s.apply(b, { actor: "cli:dave", source: "config-file:b.yaml" }))
    )
    expect(again).toEqual({ events: 0, changes: [] })
    expect((await configEvents()).length).toBe(before + appended.length)

    const state = await run(Effect.flatMap(ConfigState, (s) => s.refresh))
    expect([...state.sources.keys()].sort()).toEqual(["all-new", "all-shop"])
    expect([...state.targets.keys()].sort()).toEqual(["all-awin", "all-google"])
    expect(state.rules.map((r) => r.id)).toEqual(["all-r1", "all-r3"])
    expect(state.alerts?.slack?.channel).toBe("#b")
  })

  it("records the removal of the alert settings", async () => {
    const { alerts: _alerts, ...withoutAlerts } = b
    const result = await run(Effect.flatMap(ConfigState, (s) => s.apply(withoutAlerts, { actor: "cli:erin" })))
    expect(result.changes).toEqual(["AlertSettingsChanged (alerts)"])
    const [last] = (await run(Effect.flatMap(EventStore, (s) => s.readStream("config:alerts")))).slice(-1)
    expect(last?.event).toEqual({ _tag: "AlertSettingsChanged", alerts: null })
    expect(last?.metadata.actor).toBe("cli:erin")
  })
})
