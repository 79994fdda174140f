// Helpers for operator-action tests: admin tokens, JSON calls to the admin API, and `s2s` commands
// run in-process against a test database with their stdout / stderr captured.
import { Command, ValidationError } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { Cause, Effect, Exit, Layer, Logger, LogLevel, Option } from "effect"
import { vi } from "vitest"
import { Tokens, TokensLive } from "../../src/tokens/Tokens.js"
import { dbLayer } from "../support/db.js"

export const createToken = (databaseUrl: string, scope: "audit" | "operate" | "admin" | "ingest", sourceId?: string) =>
  Effect.runPromise(
    Effect.flatMap(Tokens, (t) => t.create({ scope, sourceId, actor: "test" })).pipe(
      Effect.provide(Layer.provide(TokensLive, dbLayer(databaseUrl)))
    )
  )

export const postJson = async (url: string, token: string | undefined, body: unknown) => {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

export interface CliRun {
  /** 0 ok, 1 failure, 2 usage error, as src/cli.ts maps them. */
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs one `s2s` command (its Command value, as src/cli.ts mounts it) with `args`, against
 * DATABASE_URL = `databaseUrl`. Output is captured from the console the commands print through.
 */
export const runCli = async <Name extends string, E, A>(
  command: Command.Command<Name, never, E, A>,
  args: ReadonlyArray<string>,
  databaseUrl: string,
  env: Record<string, string> = {}
): Promise<CliRun> => {
  const saved = { ...process.env }
  Object.assign(process.env, { DATABASE_URL: databaseUrl, ...env })
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  const log = vi.spyOn(console, "log").mockImplementation((...a: Array<unknown>) => void stdout.push(a.join(" ")))
  const error = vi.spyOn(console, "error").mockImplementation((...a: Array<unknown>) => void stderr.push(a.join(" ")))
  try {
    const exit = await Effect.runPromiseExit(
      Command.run(command, { name: "s2s", version: "test" })(["node", "s2s", ...args]).pipe(
        Effect.provide(Layer.merge(NodeContext.layer, Logger.minimumLogLevel(LogLevel.Warning)))
      )
    )
    const exitCode = Exit.isSuccess(exit)
      ? 0
      : Option.match(Cause.failureOption(exit.cause), {
          onNone: () => 1,
          onSome: (e) => (ValidationError.isValidationError(e) ? 2 : 1)
        })
    if (Exit.isFailure(exit) && exitCode === 1) stderr.push(Cause.pretty(exit.cause))
    return { exitCode, stdout: stdout.join("\n"), stderr: stderr.join("\n") }
  } finally {
    log.mockRestore()
    error.mockRestore()
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }
}
