// GET /console/api/coverage: the range (default the last 14 UTC days, today included; at most 92
// days) and filters checked, the four reads run in parallel, the page assembled.
import { Effect, Either } from "effect"
import { badRequest } from "../../api/errors.js"
import { ConfigState } from "../../config/ConfigState.js"
import { Db } from "../../db/Db.js"
import { parseInstant } from "../../operations/request.js"
import { allWithoutJit } from "../sql.js"
import { funnelOf, landingPages, matchQuality } from "./aggregate.js"
import { funnelGroups, lostCampaigns, lostLandingUrls, matchRows } from "./query.js"
import type { Coverage, CoverageFilters } from "./schema.js"
import { usableKeyMap } from "./usable.js"

const DAY = 86_400_000
export const DEFAULT_DAYS = 14
export const MAX_DAYS = 92

export interface CoverageParams {
  readonly from?: string | undefined
  readonly to?: string | undefined
  readonly company?: string | undefined
  readonly market?: string | undefined
  readonly partner?: string | undefined
}

const blankToUndefined = (value: string | undefined) =>
  value === undefined || value.trim() === "" ? undefined : value.trim()

export const coverageFilters = (params: CoverageParams, now: Date): Either.Either<CoverageFilters, string> =>
  Either.gen(function* () {
    const from = yield* Either.mapLeft(parseInstant(params.from, "from"), (e) => e.message)
    const to = yield* Either.mapLeft(parseInstant(params.to, "to"), (e) => e.message)
    const end = to ?? new Date(Math.floor(now.getTime() / DAY) * DAY + DAY)
    const start = from ?? new Date(end.getTime() - DEFAULT_DAYS * DAY)
    if (start.getTime() >= end.getTime()) return yield* Either.left("from must be before to")
    if (end.getTime() - start.getTime() > MAX_DAYS * DAY)
      return yield* Either.left(`the range is at most ${MAX_DAYS} days; narrow from and to`)
    return {
      from: start,
      to: end,
      company: blankToUndefined(params.company),
      market: blankToUndefined(params.market)?.toUpperCase(),
      partner: blankToUndefined(params.partner)
    }
  })

export const coveragePage = Effect.fn("Console.coverage")(function* (params: CoverageParams) {
  const filters = coverageFilters(params, new Date())
  if (Either.isLeft(filters)) return yield* Effect.fail(badRequest(filters.left))
  const f = filters.right
  const db = yield* Db
  const config = yield* (yield* ConfigState).current
  const keyMap = usableKeyMap(config.partners)
  const [groups, campaigns, landing, match] = yield* allWithoutJit(db, "Console.coverage", [
    (tx) => funnelGroups(tx, f),
    (tx) => lostCampaigns(tx, f, keyMap),
    (tx) => lostLandingUrls(tx, f, keyMap),
    (tx) => matchRows(tx, f)
  ]).pipe(Effect.orDie)
  return {
    from: f.from.toISOString(),
    to: f.to.toISOString(),
    ...funnelOf(groups, keyMap, f),
    lostCampaigns: campaigns,
    lostLandingPages: landingPages(landing),
    matchQuality: matchQuality(match, config.targets)
  } satisfies Coverage
})
