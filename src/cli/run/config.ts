// `s2s config apply|show`: what the commands defined in ../config.ts do.
import { Console, Effect, Either } from "effect"
import { stringify } from "yaml"
import { ConfigState } from "../../config/ConfigState.js"
import { planConfigChanges } from "../../config/diff.js"
import { secretReferences } from "../../config/load.js"
import type { ConfigFile } from "../../events/configSchema.js"
import { plural } from "../../operations/format.js"
import { Replan } from "../../operations/replan/Replan.js"
import { replanRequest } from "../../operations/request.js"
import type { ApplyInput, ShowInput } from "../config.js"
import { readConfig } from "../configFile.js"
import { cliActor, print, printJson } from "../output.js"
import { addOperations, configValidators, withCore } from "../stages.js"

/** One line per missing variable, each named once with everyone who uses it. */
const missingVariables = (config: Parameters<typeof secretReferences>[0]) => {
  const byName = new Map<string, Array<string>>()
  for (const r of secretReferences(config))
    if (!process.env[r.name]) byName.set(r.name, [...(byName.get(r.name) ?? []), r.usedBy])
  return [...byName].map(([name, users]) => `${name} (used by ${[...new Set(users)].join(", ")})`)
}

// The file is read and checked before the database is opened: a file with mistakes fails at once.
export const apply = (input: ApplyInput) =>
  Effect.flatMap(configValidators, (validators) => readConfig(input.file, validators)).pipe(
    Effect.flatMap((config) => applyRead(input, config).pipe(withCore))
  )

const applyRead = ({ file, check, allowMissingEnv }: ApplyInput, config: ConfigFile) =>
  Effect.gen(function* () {
    const state = yield* ConfigState
    const missing = missingVariables(config)
    if (check) {
      const planned = planConfigChanges(yield* state.refresh, config)
      yield* print(`${file} is valid`)
      if (planned.length === 0) yield* print("no changes: the configuration is current")
      for (const a of planned) yield* print(`would record ${a.events.map((e) => e._tag).join(", ")} on ${a.streamId}`)
      for (const m of missing) yield* Console.error(`error: environment variable ${m} is not set`)
      if (missing.length > 0) return yield* Effect.fail(new Error(`${missing.length} environment variable(s) missing`))
      return
    }
    // A source or target whose secret is unset answers 503 (webhooks) or fails every dispatch: refuse
    // to record it, unless this shell is knowingly not the service's environment.
    if (missing.length > 0 && !allowMissingEnv)
      return yield* Effect.fail(
        new Error(
          `environment variable(s) not set: ${missing.join("; ")}. Nothing was applied. Set them (the service ` +
            "reads them when it uses the source or target), or add --allow-missing-env if they are set only " +
            "where the service runs"
        )
      )
    for (const m of missing) yield* Console.error(`warning: environment variable ${m} is not set here`)
    const result = yield* state.apply(config, { actor: cliActor(), source: `config-file:${file}` })
    if (result.events === 0) return yield* print("no changes: the configuration is current")
    for (const c of result.changes) yield* print(`recorded ${c}`)
    yield* print(`${result.events} event(s) recorded`)
    // The operator actions (normalization, channels) load only once something was recorded.
    for (const line of yield* addOperations(routingImpact(new Date()))) yield* print(line)
  })

/** Recent orders the new configuration would route to targets they never went to, and what to run. */
const RECENT_DAYS = 7

const routingImpact = (now: Date) =>
  Effect.gen(function* () {
    const since = new Date(now.getTime() - RECENT_DAYS * 86_400_000).toISOString().slice(0, 10)
    const request = replanRequest({ from: since, dryRun: true })
    if (Either.isLeft(request)) return []
    const report = yield* (yield* Replan).run(request.right, { actor: cliActor(), origin: "cli:config-apply" })
    const command = `s2s replan --from ${since}`
    const stale = report.items.filter((i) => i.action === "skipped" && i.reason?.includes("partner rules")).length
    return [
      report.planned === 0
        ? `routing: no order placed since ${since} would go to a target it was never sent to`
        : `routing: ${plural(report.orders, "order")} placed since ${since} would now go to ${plural(report.planned, "target")} ` +
          `they were never sent to: see them with \`${command}\`, plan and send them with \`${command} --yes\``,
      ...(stale > 0
        ? [
            `routing: ${plural(stale, "order")} would now get another partner: re-normalize them first ` +
              `(\`s2s renormalize --state all --from ${since}\`), then replan`
          ]
        : []),
      ...(report.truncated
        ? [`routing: more than ${report.selected} recent orders; the count covers the first ones`]
        : [])
    ]
  })

export const show = ({ json }: ShowInput) =>
  Effect.gen(function* () {
    const state = yield* ConfigState
    const s = yield* state.refresh
    const document = {
      sources: [...s.sources.values()],
      products: s.products,
      partners: s.partners,
      targets: [...s.targets.values()],
      rules: s.rules,
      ...(s.alerts === undefined ? {} : { alerts: s.alerts })
    }
    yield* json ? printJson(document) : print(stringify(document).trimEnd())
  }).pipe(withCore)
