// The rules projection's state: the current rule set and every rule's history, folded from the
// RuleDefined / RuleChanged / RuleRemoved events of the config:rule:ID streams. `evolveRuleSet` is
// the pure evolve of that projection (other events pass through untouched), so the persisted read
// model and a fold in memory over the log always agree.

import type { Rule } from "../events/configSchema.js"
import type { AppEvent, EventMetadata } from "../events/Events.js"

export type RuleEventType = "RuleDefined" | "RuleChanged" | "RuleRemoved"
export type RuleEvent = Extract<AppEvent, { readonly _tag: RuleEventType }>

/** The envelope the event store hands out (RecordedEvent is one). */
export interface RecordedRuleEvent {
  readonly event: AppEvent
  readonly recordedAt: Date
  readonly metadata?: EventMetadata | undefined
}

export interface RuleHistoryEntry {
  readonly type: RuleEventType
  /** The rule as defined or changed; for a removal, the rule as it was before. */
  readonly rule: Rule
  readonly position?: number | undefined
  readonly changedFields?: ReadonlyArray<string> | undefined
  /** ISO time the event was recorded. */
  readonly at: string
  /** Who made the change ("cli:alice", "config-file:s2s.yaml"); null when the event does not say. */
  readonly actor: string | null
}

export interface RuleHistory {
  readonly ruleId: string
  /** False once the rule was removed (and not defined again). */
  readonly current: boolean
  readonly history: ReadonlyArray<RuleHistoryEntry>
}

export interface PositionedRule {
  readonly rule: Rule
  readonly position: number
}

export interface RuleSetState {
  readonly current: ReadonlyMap<string, PositionedRule>
  readonly histories: ReadonlyMap<string, ReadonlyArray<RuleHistoryEntry>>
}

export const emptyRuleSet: RuleSetState = { current: new Map(), histories: new Map() }

export const isRuleEvent = (event: AppEvent): event is RuleEvent =>
  event._tag === "RuleDefined" || event._tag === "RuleChanged" || event._tag === "RuleRemoved"

const withEntry = (state: RuleSetState, ruleId: string, entry: RuleHistoryEntry) =>
  new Map(state.histories).set(ruleId, [...(state.histories.get(ruleId) ?? []), entry])

// Tolerant by design: a change of an unknown rule defines it, a removal of an unknown rule is only
// history. The log is the truth; the projection must never refuse to fold it.
export const evolveRuleSet = (state: RuleSetState, recorded: RecordedRuleEvent): RuleSetState => {
  const event = recorded.event
  if (!isRuleEvent(event)) return state
  const meta = { at: recorded.recordedAt.toISOString(), actor: recorded.metadata?.actor ?? null }
  switch (event._tag) {
    case "RuleDefined":
    case "RuleChanged": {
      const ruleId = event.rule.id
      const entry: RuleHistoryEntry = {
        type: event._tag,
        rule: event.rule,
        position: event.position,
        ...(event._tag === "RuleChanged" ? { changedFields: event.changedFields } : {}),
        ...meta
      }
      return {
        current: new Map(state.current).set(ruleId, { rule: event.rule, position: event.position }),
        histories: withEntry(state, ruleId, entry)
      }
    }
    case "RuleRemoved": {
      const current = new Map(state.current)
      current.delete(event.ruleId)
      return {
        current,
        histories: withEntry(state, event.ruleId, { type: event._tag, rule: event.previous, ...meta })
      }
    }
  }
}

export const foldRuleSet = (events: Iterable<RecordedRuleEvent>, from: RuleSetState = emptyRuleSet): RuleSetState => {
  let state = from
  for (const recorded of events) state = evolveRuleSet(state, recorded)
  return state
}

const byPosition = (a: PositionedRule, b: PositionedRule) =>
  a.position - b.position || (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0)

/** The rules routing uses, in position order (ties by id, so the order never depends on the fold). */
export const currentRules = (state: RuleSetState): ReadonlyArray<Rule> =>
  [...state.current.values()].sort(byPosition).map((p) => p.rule)

/** Every rule ever defined: current ones in position order, then removed ones by removal time. */
export const ruleHistories = (state: RuleSetState): ReadonlyArray<RuleHistory> => {
  const current = [...state.current.values()].sort(byPosition).map((p) => p.rule.id)
  const lastAt = (id: string) => state.histories.get(id)?.at(-1)?.at ?? ""
  const removed = [...state.histories.keys()]
    .filter((id) => !state.current.has(id))
    .sort((a, b) => lastAt(a).localeCompare(lastAt(b)) || a.localeCompare(b))
  return [...current, ...removed].map((ruleId) => ({
    ruleId,
    current: state.current.has(ruleId),
    history: state.histories.get(ruleId) ?? []
  }))
}

export const ruleHistory = (state: RuleSetState, ruleId: string): RuleHistory | undefined => {
  const history = state.histories.get(ruleId)
  return history === undefined ? undefined : { ruleId, current: state.current.has(ruleId), history }
}
