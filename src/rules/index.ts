// Routing: pure rule matching with precedence and explanations, and the fold of rule config events.

export {
  currentRules,
  emptyRuleSet,
  evolveRuleSet,
  foldRuleSet,
  isRuleEvent,
  type RecordedRuleEvent,
  type RuleHistory,
  type RuleHistoryEntry,
  type RuleSetState,
  ruleHistories,
  ruleHistory
} from "../config/ruleSet.js"
export {
  type ExplainedDecision,
  type Explanation,
  explain,
  type RoutedTarget,
  type RoutingTarget,
  type RuleOutcome,
  toPlannedTargets,
  toRuleDecisions
} from "./explain.js"
export { formatExplanation, formatRules } from "./format.js"
export { type Dimension, matches, misses, type RoutableOrder, specificity } from "./match.js"
