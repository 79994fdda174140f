import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  currentRules,
  emptyRuleSet,
  evolveRuleSet,
  foldRuleSet,
  type RecordedRuleEvent,
  ruleHistories,
  ruleHistory
} from "../../src/config/ruleSet.js"
import { foldConfig } from "../../src/config/state.js"
import type { Rule } from "../../src/events/configSchema.js"
import type { RecordedEvent } from "../../src/events/EventStore.js"
import type { AppEvent } from "../../src/events/Events.js"
import { exc, inc } from "../rules/fixtures.js"

let clock = Date.parse("2026-03-01T10:00:00Z")
const recorded = (event: AppEvent, actor?: string): RecordedRuleEvent => {
  clock += 60_000
  return { event, recordedAt: new Date(clock), metadata: actor === undefined ? {} : { actor } }
}
const defined = (rule: Rule, position: number): AppEvent => ({ _tag: "RuleDefined", rule, position })
const changed = (rule: Rule, position: number, previous: Rule, changedFields: Array<string>): AppEvent => ({
  _tag: "RuleChanged",
  rule,
  position,
  previous,
  changedFields
})
const removed = (previous: Rule): AppEvent => ({ _tag: "RuleRemoved", ruleId: previous.id, previous })

describe("folding rule events", () => {
  const googleV1 = inc("acme-google", "acme/*/google", "google-acme")
  const googleV2 = inc("acme-google", "acme/*/google", "google-acme-2")
  const awin = inc("awin-all", "*/*/awin", "awin")
  const samples = exc("no-samples", "*/sample-*/*")
  clock = Date.parse("2026-03-01T10:00:00Z")
  const log = [
    recorded(defined(googleV1, 0), "config-file:s2s.yaml"),
    recorded(defined(awin, 1), "config-file:s2s.yaml"),
    recorded({ _tag: "TargetRemoved", targetId: "x" }, "cli:alice"),
    recorded(changed(googleV2, 2, googleV1, ["target", "position"]), "cli:alice"),
    recorded(removed(awin)),
    recorded(defined(samples, 1), "cli:bob")
  ]
  const state = foldRuleSet(log)

  it("gives the current rules in position order", () => {
    expect(currentRules(state)).toEqual([samples, googleV2])
  })

  it("keeps every rule's full history with time and actor, removed rules last", () => {
    expect(ruleHistories(state)).toEqual([
      {
        ruleId: "no-samples",
        current: true,
        history: [{ type: "RuleDefined", rule: samples, position: 1, at: "2026-03-01T10:06:00.000Z", actor: "cli:bob" }]
      },
      {
        ruleId: "acme-google",
        current: true,
        history: [
          {
            type: "RuleDefined",
            rule: googleV1,
            position: 0,
            at: "2026-03-01T10:01:00.000Z",
            actor: "config-file:s2s.yaml"
          },
          {
            type: "RuleChanged",
            rule: googleV2,
            position: 2,
            changedFields: ["target", "position"],
            at: "2026-03-01T10:04:00.000Z",
            actor: "cli:alice"
          }
        ]
      },
      {
        ruleId: "awin-all",
        current: false,
        history: [
          {
            type: "RuleDefined",
            rule: awin,
            position: 1,
            at: "2026-03-01T10:02:00.000Z",
            actor: "config-file:s2s.yaml"
          },
          { type: "RuleRemoved", rule: awin, at: "2026-03-01T10:05:00.000Z", actor: null }
        ]
      }
    ])
    expect(ruleHistory(state, "awin-all")?.current).toBe(false)
    expect(ruleHistory(state, "unknown")).toBeUndefined()
  })

  it("ignores other events without copying the state", () => {
    const other = recorded({ _tag: "TargetRemoved", targetId: "x" })
    expect(evolveRuleSet(state, other)).toBe(state)
  })

  it("folds in pieces to the same state as in one go, and never mutates an earlier state", () => {
    const half = foldRuleSet(log.slice(0, 3))
    const before = currentRules(half)
    expect(foldRuleSet(log.slice(3), half)).toEqual(state)
    expect(currentRules(half)).toEqual(before)
    expect(currentRules(emptyRuleSet)).toEqual([])
  })

  it("tolerates a change or removal of a rule it never saw, and a rule defined again", () => {
    const s = foldRuleSet([
      recorded(changed(googleV2, 0, googleV1, ["target"])),
      recorded(removed(awin)),
      recorded(defined(awin, 1)),
      recorded(removed(awin)),
      recorded(defined(awin, 3))
    ])
    expect(currentRules(s)).toEqual([googleV2, awin])
    expect(ruleHistory(s, "awin-all")?.history.map((h) => h.type)).toEqual([
      "RuleRemoved",
      "RuleDefined",
      "RuleRemoved",
      "RuleDefined"
    ])
  })

  it("orders equal positions by id", () => {
    const s = foldRuleSet([recorded(defined(inc("b", "*/*/*", "t"), 0)), recorded(defined(inc("a", "*/*/*", "t"), 0))])
    expect(currentRules(s).map((r) => r.id)).toEqual(["a", "b"])
  })

  it("agrees with a naive model on random logs", () => {
    const op = fc.record({
      kind: fc.constantFrom("define", "change", "remove"),
      id: fc.constantFrom("a", "b", "c"),
      pos: fc.nat(5)
    })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const model = new Map<string, { rule: Rule; position: number }>()
        const events = ops.map(({ kind, id, pos }) => {
          const rule = inc(id, "*/*/*", `t${pos}`)
          if (kind === "remove") {
            model.delete(id)
            return recorded(removed(rule))
          }
          model.set(id, { rule, position: pos })
          return recorded(kind === "define" ? defined(rule, pos) : changed(rule, pos, rule, ["target"]))
        })
        const expected = [...model.values()]
          .sort((x, y) => x.position - y.position || x.rule.id.localeCompare(y.rule.id))
          .map((p) => p.rule)
        const s = foldRuleSet(events)
        const histories = ruleHistories(s)
        return (
          JSON.stringify(currentRules(s)) === JSON.stringify(expected) &&
          histories.reduce((n, h) => n + h.history.length, 0) === ops.length
        )
      })
    )
  })
})

describe("routing and `rules list` share one fold", () => {
  const asStored = (events: ReadonlyArray<RecordedRuleEvent>): Array<RecordedEvent> =>
    events.map((e, i) => ({
      position: i + 1,
      transactionId: "1",
      streamId: `config:rule:${i}`,
      version: 1,
      eventId: `e${i}`,
      event: e.event,
      metadata: e.metadata ?? {},
      recordedAt: e.recordedAt
    }))
  const b = inc("b-rule", "*/*/awin", "awin")
  const a = inc("a-rule", "*/*/awin", "awin-2")
  const c = exc("c-rule", "*/sample-*/*")

  it("orders rules at the same position by id in both, whatever order they were defined in", () => {
    const log = [recorded(defined(b, 0)), recorded(defined(a, 0)), recorded(defined(c, 1))]
    const config = foldConfig(asStored(log))
    expect(config.rules.map((r) => r.id)).toEqual(["a-rule", "b-rule", "c-rule"])
    expect(config.rules).toEqual(currentRules(foldRuleSet(log)))
    expect(config.ruleSet).toEqual(foldRuleSet(log))
  })

  it("keeps stored positions when folding on from an earlier snapshot", () => {
    const log = [recorded(defined(a, 5)), recorded(defined(b, 2)), recorded(defined(c, 1))]
    const stored = asStored(log)
    const incremental = foldConfig(stored.slice(2), foldConfig(stored.slice(0, 2)))
    expect(incremental.rules.map((r) => r.id)).toEqual(["c-rule", "b-rule", "a-rule"])
    expect(incremental.ruleSet).toEqual(foldConfig(stored).ruleSet)
  })
})
