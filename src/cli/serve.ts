// `s2s serve` (API + worker), `s2s worker` (worker only), `s2s migrate`.
import { Command, Options } from "@effect/cli"
import { Effect, Layer } from "effect"
import { ConfigError } from "../config/load.js"
import { configValidators, DatabaseReady, ServiceLive } from "../main.js"
import { applyAtStart } from "./configFile.js"
import { cliActor, print } from "./output.js"

const configOption = Options.text("config").pipe(
  Options.withAlias("c"),
  Options.withDescription("s2s.yaml to apply at start (default: S2S_CONFIG, ./s2s.yaml, or the bundled demo)"),
  Options.optional
)

const launch = (options: { api: boolean; worker: boolean; config: string | undefined }) => {
  const bootstrap = Layer.effectDiscard(
    applyAtStart(options.config, configValidators, cliActor()).pipe(
      Effect.catchIf(
        (e): e is ConfigError => e instanceof ConfigError,
        (e) => Effect.dieMessage(e.message)
      )
    )
  )
  return Layer.launch(ServiceLive({ api: options.api, worker: options.worker }, bootstrap))
}

export const serve = Command.make(
  "serve",
  {
    config: configOption,
    apiOnly: Options.boolean("api-only").pipe(Options.withDescription("run only the HTTP API")),
    workerOnly: Options.boolean("worker-only").pipe(Options.withDescription("run only the worker and projector"))
  },
  ({ config, apiOnly, workerOnly }) =>
    apiOnly && workerOnly
      ? Effect.dieMessage("--api-only and --worker-only exclude each other")
      : launch({ api: !workerOnly, worker: !apiOnly, config: config._tag === "Some" ? config.value : undefined })
).pipe(Command.withDescription("Run the service: HTTP API on PORT (default 3000) and the worker, in one process"))

export const worker = Command.make("worker", { config: configOption }, ({ config }) =>
  launch({ api: false, worker: true, config: config._tag === "Some" ? config.value : undefined })
).pipe(Command.withDescription("Run only the worker (jobs and projections)"))

export const migrate = Command.make("migrate", {}, () =>
  Effect.gen(function* () {
    yield* print("database migrated and current")
  }).pipe(Effect.provide(DatabaseReady))
).pipe(Command.withDescription("Apply pending database migrations and exit"))
