// The service process: the only place where the stages' layers are composed. `s2s serve` runs the
// HTTP API and the worker (job runner + projector) in one process; --api-only / --worker-only split
// them so each can be scaled on its own against the same PostgreSQL.
import { HttpApiBuilder } from "@effect/platform"
import { Layer } from "effect"
import { ConfigStateLive } from "./config/ConfigState.js"
import type { ConfigValidator } from "./config/load.js"
import { type Secrets, SecretsLive } from "./config/Secrets.js"
import { type Database, DatabaseLive } from "./db/Database.js"
import { DbLive } from "./db/Db.js"
import { MigrationsLive } from "./db/Migrator.js"
import { BreakersLive } from "./dispatch/Breakers.js"
import { validatePostbackTarget } from "./dispatch/channels/postback/index.js"
import { ChannelsLive } from "./dispatch/channels/registry.js"
import { type Dispatcher, DispatcherLive } from "./dispatch/Dispatcher.js"
import { dispatchTask } from "./dispatch/DispatchJob.js"
import { EventStoreLive } from "./events/EventStore.js"
import { Api } from "./http/Api.js"
import { AuthenticationLive } from "./http/Auth.js"
import { HealthHttpLive } from "./http/HealthHttp.js"
import { HttpLive } from "./http/Http.js"
import { IngestLive } from "./ingest/Ingest.js"
import { IngestHttpLive } from "./ingest/IngestHttp.js"
import { tasksLayer, WorkerLive } from "./jobs/Worker.js"
import { AlertingNone } from "./lib/alerting.js"
import { type Normalizer, NormalizerLive, normalizeTask } from "./normalize/NormalizeJob.js"
import { conversions } from "./projections/conversions.js"
import { ProjectionsHttpLive } from "./projections/ProjectionsHttp.js"
import { Projections, ProjectorLive } from "./projections/Projector.js"
import { streamSummaries } from "./projections/streamSummaries.js"
import { TokensLive } from "./tokens/Tokens.js"

/** Database located (embedded or DATABASE_URL), migrated, and the app-role pool open. */
export const databaseReady = <E, R>(database: Layer.Layer<Database, E, R>) =>
  DbLive.pipe(Layer.provideMerge(MigrationsLive), Layer.provideMerge(database))
export const DatabaseReady = databaseReady(DatabaseLive)

/** What every command that touches the database needs. */
export const makeCore = <E, R>(database: Layer.Layer<Database, E, R>) =>
  Layer.mergeAll(EventStoreLive, ConfigStateLive, TokensLive).pipe(
    Layer.provideMerge(Layer.merge(EventStoreLive, SecretsLive)),
    Layer.provideMerge(databaseReady(database))
  )
export const CoreLive = makeCore(DatabaseLive)

export const ProjectionsLive = Layer.succeed(Projections, [streamSummaries, conversions])

/** The pipeline's services (normalization, routing, dispatch, alerting). */
export const PipelineLive = Layer.mergeAll(NormalizerLive, DispatcherLive).pipe(
  Layer.provideMerge(Layer.mergeAll(ChannelsLive, BreakersLive)),
  Layer.provideMerge(AlertingNone)
)

export const TasksLive = tasksLayer<Normalizer | Dispatcher | Secrets>([normalizeTask, dispatchTask])

const ApiLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide([HealthHttpLive, IngestHttpLive, ProjectionsHttpLive]),
  Layer.provide([IngestLive, AuthenticationLive])
)

export const HttpServiceLive = HttpLive.pipe(Layer.provide(ApiLive))

export const WorkerServiceLive = Layer.merge(
  WorkerLive.pipe(Layer.provide(TasksLive), Layer.provide(PipelineLive)),
  ProjectorLive
)

export interface ServeOptions {
  readonly api: boolean
  readonly worker: boolean
}

/** Checks that stages contribute to s2s.yaml validation (run by `config apply` and at start). */
export const configValidators: ReadonlyArray<ConfigValidator> = [
  (config) =>
    config.targets.flatMap((target, i) =>
      target.channel === "postback"
        ? validatePostbackTarget(target).map((message) => ({ path: ["targets", i], message }))
        : []
    )
]

/** `before` runs first (the config bootstrap), so sources exist before the first webhook is accepted. */
export const ServiceLive = <E, R, E2 = never, R2 = never>(
  options: ServeOptions,
  before: Layer.Layer<never, E, R>,
  database: Layer.Layer<Database, E2, R2> = DatabaseLive as unknown as Layer.Layer<Database, E2, R2>
) =>
  Layer.mergeAll(options.api ? HttpServiceLive : Layer.empty, options.worker ? WorkerServiceLive : Layer.empty).pipe(
    Layer.provide(before),
    Layer.provide(ProjectionsLive),
    Layer.provideMerge(makeCore(database))
  )
