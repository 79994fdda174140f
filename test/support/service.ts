// Starts the real service in-process (HTTP API, and optionally the worker and projector) on a fresh
// database and a free port, with a given s2s.yaml. Stopped after the file's tests.
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { ConfigProvider, Effect, Exit, Layer, Logger, LogLevel, Scope } from "effect"
import { applyAtStart } from "../../src/cli/configFile.js"
import { DatabaseFromUrl } from "../../src/db/Database.js"
import { freePort } from "../../src/db/embedded.js"
import { configValidators, ServiceLive } from "../../src/main.js"
import { onCleanup } from "./cleanup.js"
import { freshDatabase } from "./db.js"

export interface RunningService {
  readonly baseUrl: string
  readonly databaseUrl: string
  readonly stop: () => Promise<void>
}

export const startService = async (options: {
  readonly config: string
  readonly worker?: boolean
  readonly env?: Record<string, string>
  readonly databaseUrl?: string
  /** Collects every log line's message (any level) here instead of printing it. */
  readonly logs?: Array<string>
}): Promise<RunningService> => {
  const databaseUrl = options.databaseUrl ?? (await freshDatabase())
  const port = await freePort()
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "s2s-config-"))
  const file = path.join(dir, "s2s.yaml")
  await fs.writeFile(file, options.config)
  // Secrets named by env:NAME are read from the process environment, so they are set there; and put
  // back at stop: test files share a worker process (isolate: false), and a setting one file needs
  // (WORKER_CONCURRENCY: "2") must not reach the next file's service through ConfigProvider.fromEnv.
  const previousEnv = Object.keys(options.env ?? {}).map((k) => [k, process.env[k]] as const)
  for (const [k, v] of Object.entries(options.env ?? {})) process.env[k] = v
  const restoreEnv = () => {
    for (const [k, v] of previousEnv) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
  const provider = ConfigProvider.fromMap(
    new Map([
      ["PORT", String(port)],
      ["HOST", "127.0.0.1"],
      ["LOG_LEVEL", "warning"],
      ["PROJECTION_POLL_MS", "50"],
      ["WORKER_POLL_INTERVAL_MS", "200"],
      ...Object.entries(options.env ?? {})
    ])
  ).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
  const layer = ServiceLive(
    { api: true, worker: options.worker ?? false },
    Layer.effectDiscard(applyAtStart(file, configValidators, "test")),
    DatabaseFromUrl(databaseUrl)
  ).pipe(
    Layer.provide(Layer.setConfigProvider(provider)),
    Layer.provide(
      options.logs === undefined
        ? Layer.empty
        : Layer.merge(
            Logger.replace(
              Logger.defaultLogger,
              Logger.make(({ message }) => {
                options.logs?.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
              })
            ),
            Logger.minimumLogLevel(LogLevel.All)
          )
    )
  )
  const scope = Effect.runSync(Scope.make())
  await Effect.runPromise(Layer.buildWithScope(layer, scope).pipe(Effect.provide(Layer.setConfigProvider(provider))))
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    // The file was read at start: removed first, so a shutdown that fails or outlasts the hook's
    // timeout does not leave it behind.
    await fs.rm(dir, { recursive: true, force: true })
    try {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    } finally {
      restoreEnv()
    }
  }
  onCleanup(stop)
  return { baseUrl: `http://127.0.0.1:${port}`, databaseUrl, stop }
}
