// `s2s serve|worker|migrate`: what the commands defined in ../serve.ts do.
import { Config, Effect, Layer } from "effect"
import { DEFAULT_HEAP_GROWING_PERCENT, tuneHeap } from "../../lib/heap.js"
import { applyAtStart } from "../configFile.js"
import { cliActor, print, usageError } from "../output.js"
import type { ServeInput, WorkerInput } from "../serve.js"
import { stages, withDatabaseReady } from "../stages.js"

/** V8's heap growth past the live set, set by the service itself (lib/heap.ts). */
const tuneHeapAtStart = Config.integer("S2S_HEAP_GROWING_PERCENT").pipe(
  Config.withDefault(DEFAULT_HEAP_GROWING_PERCENT),
  Effect.map((percent) => tuneHeap(percent)),
  Effect.tap((tuning) =>
    tuning._tag === "Operator"
      ? Effect.logInfo(`heap: the operator's ${tuning.flag} applies; S2S_HEAP_GROWING_PERCENT is not set`)
      : Effect.void
  )
)

const launch = (options: { api: boolean; worker: boolean; config: string | undefined }) =>
  Effect.flatMap(Effect.zipRight(tuneHeapAtStart, stages), ({ configValidators, ServiceLive }) => {
    const bootstrap = Layer.effectDiscard(
      applyAtStart(options.config, configValidators, cliActor()).pipe(
        Effect.catchTag("ConfigError", (e) => Effect.dieMessage(e.message))
      )
    )
    return Layer.launch(ServiceLive({ api: options.api, worker: options.worker }, bootstrap))
  })

export const serve = ({ config, apiOnly, workerOnly }: ServeInput) =>
  Effect.gen(function* () {
    if (apiOnly && workerOnly) return yield* usageError("--api-only and --worker-only exclude each other")
    return yield* launch({
      api: !workerOnly,
      worker: !apiOnly,
      config: config._tag === "Some" ? config.value : undefined
    })
  })

export const worker = ({ config }: WorkerInput) =>
  launch({ api: false, worker: true, config: config._tag === "Some" ? config.value : undefined })

export const migrate = () =>
  Effect.gen(function* () {
    yield* print("database migrated and current")
  }).pipe(withDatabaseReady)
