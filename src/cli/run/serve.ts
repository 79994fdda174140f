// `s2s serve|worker|migrate`: what the commands defined in ../serve.ts do.
import { Effect, Layer } from "effect"
import { ConfigError } from "../../config/load.js"
import { applyAtStart } from "../configFile.js"
import { cliActor, print, usageError } from "../output.js"
import type { ServeInput, WorkerInput } from "../serve.js"
import { stages, withStages } from "../stages.js"

const launch = (options: { api: boolean; worker: boolean; config: string | undefined }) =>
  Effect.flatMap(stages, ({ configValidators, ServiceLive }) => {
    const bootstrap = Layer.effectDiscard(
      applyAtStart(options.config, configValidators, cliActor()).pipe(
        Effect.catchIf(
          (e): e is ConfigError => e instanceof ConfigError,
          (e) => Effect.dieMessage(e.message)
        )
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
  }).pipe(withStages((m) => m.DatabaseReady))
