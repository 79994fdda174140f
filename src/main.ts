// The service process: the only place where the stages' layers are composed. `s2s serve` runs the
// HTTP API and the worker (job runner + projector) in one process; --api-only / --worker-only split
// them so each can be scaled on its own against the same PostgreSQL.
import { HttpApiBuilder } from "@effect/platform"
import { Layer } from "effect"
import { AlertingLive } from "./alerts/AlertingLive.js"
import { type AlertDelivery, type AlertDigests, AlertsLive, alertCrontab, alertTasks } from "./alerts/AlertJobs.js"
import { AuthenticationLive } from "./api/Auth.js"
import type { Secrets } from "./config/Secrets.js"
import { ConsoleApiLive, ConsoleLinksLive, ConsoleStaticLive } from "./console/ConsoleLive.js"
import { type Database, DatabaseLive } from "./db/Database.js"
import { DemoSinkLive } from "./demo/DemoSink.js"
import { BreakersLive } from "./dispatch/Breakers.js"
import { ChannelsLive } from "./dispatch/channels/registry.js"
import { dispatchBatchTask } from "./dispatch/DispatchBatchJob.js"
import { type Dispatcher, DispatcherLive } from "./dispatch/Dispatcher.js"
import { dispatchTask } from "./dispatch/DispatchJob.js"
import { Api } from "./http/Api.js"
import { DocsAssetsLive } from "./http/docsAssets.js"
import { HealthHttpLive } from "./http/HealthHttp.js"
import { HttpLive } from "./http/Http.js"
import { WorkerHealthLive } from "./http/WorkerHealth.js"
import { IngestLive } from "./ingest/Ingest.js"
import { IngestFrontLive } from "./ingest/IngestFront.js"
import { IngestHttpLive } from "./ingest/IngestHttp.js"
import { tasksLayer, WorkerCrontab, WorkerLive } from "./jobs/Worker.js"
import { WorkerStatusLive } from "./jobs/WorkerStatus.js"
import { type Normalizer, NormalizerLive, normalizeBatchTask, normalizeTask } from "./normalize/NormalizeJob.js"
import { OperationsHttpLive } from "./operations/OperationsHttp.js"
import { OrdersHttpLive } from "./orders/OrdersHttp.js"
import { ProjectionsHttpLive } from "./projections/ProjectionsHttp.js"
import { ProjectorLive } from "./projections/Projector.js"
import { RulesHttpLive } from "./rules/RulesHttp.js"
import { makeCore } from "./stages/core.js"
import { OperationsLive } from "./stages/operations.js"
import { ProjectionsLive } from "./stages/projections.js"
import { fileConfigValidators } from "./stages/validators.js"
import { WebhooksHttpLive } from "./webhooks/WebhooksHttp.js"

export { CoreLive, DatabaseReady, databaseReady, makeCore } from "./stages/core.js"
export { OperationsLive } from "./stages/operations.js"
export { ProjectionsLive } from "./stages/projections.js"
export { configValidators, fileConfigValidators } from "./stages/validators.js"

/** The pipeline's services (normalization, routing, dispatch, alerting). */
export const PipelineLive = Layer.mergeAll(NormalizerLive, DispatcherLive).pipe(
  Layer.provideMerge(Layer.mergeAll(ChannelsLive, BreakersLive)),
  Layer.provideMerge(AlertsLive.pipe(Layer.provide(ConsoleLinksLive)))
)

export const TasksLive = tasksLayer<Normalizer | Dispatcher | Secrets | AlertDelivery | AlertDigests>([
  normalizeTask,
  normalizeBatchTask,
  dispatchTask,
  dispatchBatchTask,
  ...alertTasks
])

export const CrontabLive = Layer.succeed(WorkerCrontab, [...alertCrontab])

/** Ingest raises alerts for refused webhooks (WebhookRejected) in the transaction that records them. */
const IngestWithAlertsLive = IngestLive.pipe(Layer.provide(AlertingLive))

const ApiLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide([
    HealthHttpLive,
    IngestHttpLive,
    ProjectionsHttpLive,
    OperationsHttpLive,
    OrdersHttpLive,
    RulesHttpLive,
    WebhooksHttpLive,
    // suspended: fileConfigValidators is defined below.
    Layer.suspend(() => ConsoleApiLive(fileConfigValidators))
  ]),
  Layer.provide([IngestWithAlertsLive, AuthenticationLive, OperationsLive])
)

export const HttpServiceLive = HttpLive.pipe(
  Layer.provide(Layer.mergeAll(ApiLive, DemoSinkLive, ConsoleStaticLive, DocsAssetsLive)),
  Layer.provide(IngestFrontLive.pipe(Layer.provide(IngestWithAlertsLive)))
)

export const WorkerServiceLive = Layer.merge(
  WorkerLive.pipe(Layer.provide(CrontabLive), Layer.provide(TasksLive), Layer.provide(PipelineLive)),
  ProjectorLive
)

export interface ServeOptions {
  readonly api: boolean
  readonly worker: boolean
}

/** `before` runs first (the config bootstrap), so sources exist before the first webhook is accepted. */
export const ServiceLive = <E, R, E2 = never, R2 = never>(
  options: ServeOptions,
  before: Layer.Layer<never, E, R>,
  database: Layer.Layer<Database, E2, R2> = DatabaseLive as unknown as Layer.Layer<Database, E2, R2>
) =>
  Layer.mergeAll(
    options.api ? HttpServiceLive : Layer.empty,
    options.worker ? WorkerServiceLive : Layer.empty,
    // Without the API a worker still answers health checks and scrapes, on METRICS_PORT.
    options.worker && !options.api ? WorkerHealthLive : Layer.empty
  ).pipe(
    // One status for the worker and the health endpoints that report it.
    Layer.provide(options.worker ? WorkerStatusLive : Layer.empty),
    Layer.provide(before),
    Layer.provide(ProjectionsLive),
    Layer.provideMerge(makeCore(database))
  )
