// `s2s serve` (API + worker), `s2s worker` (worker only), `s2s migrate`.
import { Command, Options } from "@effect/cli"
import { type Input, lazy } from "./lazy.js"

const run = () => import("./run/serve.js")

const configOption = Options.text("config").pipe(
  Options.withAlias("c"),
  Options.withPseudoName("FILE"),
  Options.withDescription("s2s.yaml to apply at start (default: S2S_CONFIG, ./s2s.yaml, or the bundled demo)"),
  Options.optional
)

const serveConfig = {
  config: configOption,
  apiOnly: Options.boolean("api-only").pipe(Options.withDescription("run only the HTTP API")),
  workerOnly: Options.boolean("worker-only").pipe(Options.withDescription("run only the worker and projector"))
}
export type ServeInput = Input<typeof serveConfig>

export const serve = Command.make(
  "serve",
  serveConfig,
  lazy(run, (m) => m.serve)
).pipe(Command.withDescription("Run the service: HTTP API on PORT (default 3000) and the worker, in one process"))

const workerConfig = { config: configOption }
export type WorkerInput = Input<typeof workerConfig>

export const worker = Command.make(
  "worker",
  workerConfig,
  lazy(run, (m) => m.worker)
).pipe(Command.withDescription("Run only the worker (jobs and projections)"))

export const migrate = Command.make(
  "migrate",
  {},
  lazy(run, (m) => m.migrate)
).pipe(Command.withDescription("Apply pending database migrations and exit"))
