// Logs go to stderr (stdout is for command output): JSON lines in production (LOG_FORMAT=json, or
// when stderr is not a terminal), a readable format on a terminal. LOG_LEVEL sets the minimum level.
import { Config, Effect, Layer, Logger, LogLevel } from "effect"

const levels: Record<string, LogLevel.LogLevel> = {
  all: LogLevel.All,
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  warn: LogLevel.Warning,
  error: LogLevel.Error,
  fatal: LogLevel.Fatal,
  none: LogLevel.None
}

export const LoggingLive = (defaultLevel: string) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const format = yield* Config.string("LOG_FORMAT").pipe(
        Config.withDefault(process.stderr.isTTY ? "pretty" : "json")
      )
      const level = yield* Config.string("LOG_LEVEL").pipe(Config.withDefault(defaultLevel))
      const logger =
        format === "json"
          ? Logger.withConsoleError(Logger.jsonLogger)
          : Logger.prettyLogger({
              stderr: true,
              colors: process.stderr.isTTY === true && !process.env.NO_COLOR,
              mode: "tty"
            })
      return Layer.merge(
        Logger.replace(Logger.defaultLogger, logger),
        Logger.minimumLogLevel(levels[level.toLowerCase()] ?? LogLevel.Info)
      )
    })
  )
