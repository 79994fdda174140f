// What an operator asks for, checked once for both the HTTP API and the CLI: time bounds parse, a
// selection is never "everything" by accident, and who asked is always known. Invalid requests are
// the one error an operator can act on (400 / exit code 2).
import { Data, Either } from "effect"
import type { DispatchKind } from "../events/dispatch.js"

export class InvalidRequest extends Data.TaggedError("InvalidRequest")<{ readonly message: string }> {}

/** Who asked and through which door: recorded in event metadata and in the request events. */
export interface Operator {
  /** `token:<id>` (HTTP) or `cli:<user>`. */
  readonly actor: string
  /** `api:redispatch`, `cli:renormalize`, ... */
  readonly origin: string
  /** Called as items are done (the CLI draws it on a terminal); not recorded anywhere. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined
}

export const RedispatchStates = ["failed", "dead_lettered", "succeeded", "skipped", "pending", "held"] as const
export type RedispatchState = (typeof RedispatchStates)[number]

export const RenormalizeStates = ["failed", "all"] as const
export type RenormalizeState = (typeof RenormalizeStates)[number]

/** A time range on the order's placement (re-dispatch) or the webhook's receipt (re-normalization). */
export interface TimeRange {
  /** Inclusive. */
  readonly from?: Date | undefined
  /** Exclusive. */
  readonly to?: Date | undefined
}

export interface RedispatchRequest extends TimeRange {
  readonly orderKeys?: ReadonlyArray<string> | undefined
  readonly target?: string | undefined
  readonly state?: RedispatchState | undefined
  readonly kind: DispatchKind
  readonly force: boolean
  readonly reason: string
  readonly dryRun: boolean
}

export interface RenormalizeRequest extends TimeRange {
  readonly webhookIds?: ReadonlyArray<string> | undefined
  readonly sourceId?: string | undefined
  readonly state: RenormalizeState
  /** The state was not asked for (the default): a report that selects nothing says so. */
  readonly stateDefaulted: boolean
  readonly reason: string
  readonly dryRun: boolean
}

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/** An ISO 8601 date or time; a date alone is midnight UTC; a time without offset is UTC. */
export const parseInstant = (
  text: string | undefined,
  field: string
): Either.Either<Date | undefined, InvalidRequest> => {
  if (text === undefined || text.trim() === "") return Either.right(undefined)
  const trimmed = text.trim()
  const withZone = /T|\s/.test(trimmed) && !/(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) ? `${trimmed}Z` : trimmed
  const ms = ISO.test(trimmed) ? Date.parse(withZone) : Number.NaN
  return Number.isNaN(ms)
    ? Either.left(new InvalidRequest({ message: `${field} is not an ISO 8601 date or time: "${text}"` }))
    : Either.right(new Date(ms))
}

export const parseRange = (from: string | undefined, to: string | undefined) =>
  Either.gen(function* () {
    const start = yield* parseInstant(from, "from")
    const end = yield* parseInstant(to, "to")
    if (start !== undefined && end !== undefined && start.getTime() >= end.getTime())
      return yield* Either.left(new InvalidRequest({ message: "from must be before to" }))
    return { from: start, to: end } satisfies TimeRange
  })

const nonEmpty = (values: ReadonlyArray<string> | undefined) => {
  const kept = [...new Set((values ?? []).map((v) => v.trim()).filter((v) => v !== ""))]
  return kept.length === 0 ? undefined : kept
}

export interface RedispatchInput {
  readonly orderKeys?: ReadonlyArray<string> | undefined
  readonly target?: string | undefined
  readonly from?: string | undefined
  readonly to?: string | undefined
  readonly state?: RedispatchState | undefined
  readonly kind?: DispatchKind | undefined
  readonly force?: boolean | undefined
  readonly reason?: string | undefined
  readonly dryRun?: boolean | undefined
}

export const redispatchRequest = (input: RedispatchInput): Either.Either<RedispatchRequest, InvalidRequest> =>
  Either.gen(function* () {
    const range = yield* parseRange(input.from, input.to)
    const orderKeys = nonEmpty(input.orderKeys)
    const target = input.target?.trim() || undefined
    // Without any filter the selection would be every dispatch ever made: refuse, it is never meant.
    const unbounded =
      orderKeys === undefined &&
      target === undefined &&
      input.state === undefined &&
      range.from === undefined &&
      range.to === undefined
    if (unbounded)
      return yield* Either.left(
        new InvalidRequest({ message: "select what to re-dispatch: give orderKeys, a target, a state or a time range" })
      )
    return {
      ...range,
      orderKeys,
      target,
      state: input.state,
      kind: input.kind ?? "conversion",
      force: input.force ?? false,
      reason: input.reason?.trim() || "operator re-dispatch",
      dryRun: input.dryRun ?? true
    }
  })

/** Route already-normalized orders again with the current configuration (see replan/decide.ts). */
export interface ReplanRequest extends TimeRange {
  readonly orderKeys?: ReadonlyArray<string> | undefined
  readonly company?: string | undefined
  readonly partner?: string | undefined
  readonly sourceId?: string | undefined
  readonly target?: string | undefined
  readonly reason: string
  readonly dryRun: boolean
}

export interface ReplanInput {
  readonly orderKeys?: ReadonlyArray<string> | undefined
  readonly company?: string | undefined
  readonly partner?: string | undefined
  readonly sourceId?: string | undefined
  readonly target?: string | undefined
  readonly from?: string | undefined
  readonly to?: string | undefined
  readonly reason?: string | undefined
  readonly dryRun?: boolean | undefined
}

export const replanRequest = (input: ReplanInput): Either.Either<ReplanRequest, InvalidRequest> =>
  Either.gen(function* () {
    const range = yield* parseRange(input.from, input.to)
    const orderKeys = nonEmpty(input.orderKeys)
    const company = input.company?.trim() || undefined
    const partner = input.partner?.trim() || undefined
    const sourceId = input.sourceId?.trim() || undefined
    const target = input.target?.trim() || undefined
    if ([orderKeys, company, partner, sourceId, target, range.from, range.to].every((v) => v === undefined))
      return yield* Either.left(
        new InvalidRequest({
          message: "select what to replan: give orderKeys, a company, a partner, a sourceId, a target or a time range"
        })
      )
    return {
      ...range,
      orderKeys,
      company,
      partner,
      sourceId,
      target,
      reason: input.reason?.trim() || "operator replan after a configuration change",
      dryRun: input.dryRun ?? true
    }
  })

export interface RenormalizeInput {
  readonly webhookIds?: ReadonlyArray<string> | undefined
  readonly sourceId?: string | undefined
  readonly from?: string | undefined
  readonly to?: string | undefined
  readonly state?: RenormalizeState | undefined
  readonly reason?: string | undefined
  readonly dryRun?: boolean | undefined
}

export const renormalizeRequest = (input: RenormalizeInput): Either.Either<RenormalizeRequest, InvalidRequest> =>
  Either.gen(function* () {
    const range = yield* parseRange(input.from, input.to)
    const webhookIds = nonEmpty(input.webhookIds)
    // Webhooks named one by one are taken whatever their state, unless a state is asked for.
    const state = input.state ?? (webhookIds === undefined ? "failed" : "all")
    const sourceId = input.sourceId?.trim() || undefined
    // "failed" is a narrow selection on its own; "all" re-parses history and needs a bound.
    if (state === "all" && webhookIds === undefined && sourceId === undefined && range.from === undefined)
      return yield* Either.left(
        new InvalidRequest({ message: "state all needs webhookIds, a sourceId or a from time to bound the selection" })
      )
    return {
      ...range,
      webhookIds,
      sourceId,
      state,
      stateDefaulted: input.state === undefined,
      reason: input.reason?.trim() || "operator re-normalization",
      dryRun: input.dryRun ?? true
    }
  })
