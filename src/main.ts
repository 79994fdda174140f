// The service process: the only place where the stages' layers are composed. `s2s serve` runs the
// HTTP API and the worker (job runner + projector) in one process; --api-only / --worker-only split
// them so each can be scaled on its own against the same PostgreSQL.
import { HttpApiBuilder } from "@effect/platform"
import { Layer } from "effect"
import { AlertingNone } from "./alerts/Alerting.js"
import { AlertingLive } from "./alerts/AlertingLive.js"
import { type AlertDelivery, type AlertDigests, AlertsLive, alertCrontab, alertTasks } from "./alerts/AlertJobs.js"
import { AuthenticationLive } from "./api/Auth.js"
import { ConfigStateLive } from "./config/ConfigState.js"
import type { ConfigValidator } from "./config/load.js"
import { type Secrets, SecretsLive } from "./config/Secrets.js"
import { ConsoleApiLive, ConsoleLinksLive, ConsoleStaticLive } from "./console/ConsoleLive.js"
import { dispatchFacts } from "./console/facts/dispatchFacts.js"
import { type Database, DatabaseLive } from "./db/Database.js"
import { DbLive } from "./db/Db.js"
import { MigrationsLive } from "./db/Migrator.js"
import { DemoSinkLive } from "./demo/DemoSink.js"
import { BreakersLive } from "./dispatch/Breakers.js"
import { validatePostbackEgress, validatePostbackTarget } from "./dispatch/channels/postback/index.js"
import { ChannelsLive } from "./dispatch/channels/registry.js"
import { dispatchBatchTask } from "./dispatch/DispatchBatchJob.js"
import { type Dispatcher, DispatcherLive } from "./dispatch/Dispatcher.js"
import { dispatchTask } from "./dispatch/DispatchJob.js"
import { EventStoreLive } from "./events/EventStore.js"
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
import { validatePartnerConditions } from "./normalize/partnerKeys.js"
import { OperationsHttpLive } from "./operations/OperationsHttp.js"
import { RedispatchLive } from "./operations/redispatch/Redispatch.js"
import { RenormalizeLive } from "./operations/renormalize/Renormalize.js"
import { ReplanLive } from "./operations/replan/Replan.js"
import { OrdersHttpLive } from "./orders/OrdersHttp.js"
import { conversions } from "./projections/conversions.js"
import { ProjectionsHttpLive } from "./projections/ProjectionsHttp.js"
import { Projections, ProjectorLive } from "./projections/Projector.js"
import { streamSummaries } from "./projections/streamSummaries.js"
import { RulesHttpLive } from "./rules/RulesHttp.js"
import { TokensLive } from "./tokens/Tokens.js"
import { WebhooksHttpLive } from "./webhooks/WebhooksHttp.js"

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

export const ProjectionsLive = Layer.succeed(Projections, [streamSummaries, conversions, dispatchFacts])

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

/**
 * Operator actions (re-dispatch, re-normalization), for the API and the CLI. Their Normalizer only
 * dry-runs (confirmations enqueue the normalize job), so it never raises alerts.
 */
export const OperationsLive = Layer.mergeAll(RedispatchLive, RenormalizeLive, ReplanLive).pipe(
  // fresh: layers are memoized by reference, so the worker's Normalizer would otherwise be this one,
  // built without alerting.
  Layer.provide(Layer.fresh(NormalizerLive).pipe(Layer.provide(AlertingNone)))
)

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

/**
 * The checks of s2s.yaml that read nothing but the file. The console's what-if runs these inside an
 * HTTP request: the egress check waits synchronously on DNS (up to 3 s), which would stall every
 * request of the API process, and a what-if applies nothing that could be refused at send time.
 */
export const fileConfigValidators: ReadonlyArray<ConfigValidator> = [
  (config) =>
    config.targets.flatMap((target, i) =>
      target.channel === "postback"
        ? validatePostbackTarget(target).map((message) => ({ path: ["targets", i], message }))
        : []
    ),
  validatePartnerConditions
]

/** Checks that stages contribute to s2s.yaml validation (run by `config apply` and at start). */
export const configValidators: ReadonlyArray<ConfigValidator> = [
  ...fileConfigValidators,
  // What the egress guard would refuse at send time under this environment's policy (resolves DNS).
  validatePostbackEgress
]

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
