// The `s2s` command tree and how a command line is run. Exit codes: 0 ok, 1 failure, 2 usage error.
// Commands are light definitions (cli/*.ts) whose handlers load what they run (cli/lazy.ts), so
// `s2s --help` and argument errors never load the service. A new command: define it in cli/, add it
// to `commands` below.
import { Command, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Cause, Console, Effect, Layer, Logger } from "effect"
import { type ErrorReporter, reportingLogger } from "../lib/errorReporting.js"
import { LoggingLive } from "../lib/logging.js"
import { VERSION } from "../lib/version.js"
import { takeActorOption } from "./actor.js"
import { config } from "./config.js"
import { demo } from "./demo.js"
import { erase } from "./erase.js"
import { commandHelp, type Flag, resolvePath } from "./help.js"
import { renderHelp } from "./helpText.js"
import { importCommand } from "./import.js"
import { orders } from "./orders.js"
import { projections } from "./projections.js"
import { redispatch } from "./redispatch.js"
import { renormalize } from "./renormalize.js"
import { replan } from "./replan.js"
import { report } from "./report.js"
import { rules } from "./rules.js"
import { migrate, serve, worker } from "./serve.js"
import { tokens } from "./tokens.js"
import { webhooks } from "./webhooks.js"

export { VERSION }

const commands = [
  serve,
  worker,
  migrate,
  config,
  tokens,
  projections,
  redispatch,
  renormalize,
  replan,
  importCommand,
  report,
  erase,
  demo,
  orders,
  webhooks,
  rules
] as const

const s2s = Command.make("s2s").pipe(
  Command.withDescription("Server-to-server conversion tracking: webhooks in, Google Ads / Meta / postbacks out"),
  Command.withSubcommands(commands)
)

const run = Command.run(s2s, { name: "s2s", version: VERSION })

const globalFlags = (root: boolean): ReadonlyArray<Flag> => [
  {
    names: ["--actor"],
    value: "NAME",
    description: "who is recorded as doing this (default: S2S_ACTOR, else user@host)",
    optional: true,
    repeated: false
  },
  { names: ["-h", "--help"], value: undefined, description: "show this help", optional: true, repeated: false },
  ...(root
    ? [{ names: ["--version"], value: undefined, description: "print the version", optional: true, repeated: false }]
    : [])
]

/** NO_COLOR (https://no-color.org): set and not empty turns colour off; so does output that is not a terminal. */
export const useColor = (stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv) =>
  stream.isTTY === true && !env.NO_COLOR

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, "g")

const strip = (args: ReadonlyArray<unknown>) => args.map((a) => (typeof a === "string" ? a.replace(ANSI, "") : a))

/** @effect/cli writes its errors with ANSI codes whatever the output is: strip them when colour is off. */
const plain = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Console.consoleWith((console) =>
    Effect.withConsole(effect, {
      ...console,
      log: (...args) => console.log(...strip(args)),
      error: (...args) => console.error(...strip(args))
    })
  )

type Plan =
  | { readonly _tag: "Help"; readonly text: string }
  | { readonly _tag: "Unknown"; readonly message: string }
  | { readonly _tag: "Run" }

/** `--help` anywhere, no command, a group without its subcommand, or a word that is no command. */
export const plan = (words: ReadonlyArray<string>, color: boolean, width: number): Plan => {
  const end = words.indexOf("--")
  const before = end === -1 ? words : words.slice(0, end)
  const root = commandHelp(s2s)
  const path = resolvePath(root, before)
  const node = path.at(-1)!
  const help = () => renderHelp(path, globalFlags(path.length === 1), { color, width })
  if (before.includes("--help") || before.includes("-h")) return { _tag: "Help", text: help() }
  if (node.children.length === 0) return { _tag: "Run" }
  const next = before[path.length - 1]
  if (next === undefined) return { _tag: "Help", text: help() }
  if (next.startsWith("-")) return path.length === 1 ? { _tag: "Run" } : { _tag: "Help", text: help() }
  const command = path.map((p) => p.name).join(" ")
  return {
    _tag: "Unknown",
    message: `unknown command "${next}" for "${command}" (one of: ${node.children.map((c) => c.name).join(", ")}); see ${command} --help`
  }
}

export const main = (argv: ReadonlyArray<string>, reporter?: ErrorReporter) => {
  const words = takeActorOption(argv.slice(2))
  const color = useColor(process.stdout, process.env)
  const width = process.stdout.isTTY ? Math.min(process.stdout.columns ?? 100, 120) : 100
  const chosen = plan(words, color, width)
  const program =
    chosen._tag === "Help"
      ? Console.log(chosen.text)
      : chosen._tag === "Unknown"
        ? Console.error(`error: ${chosen.message}`).pipe(Effect.zipRight(Effect.sync(() => (process.exitCode = 2))))
        : run([...argv.slice(0, 2), ...words]).pipe(
            Effect.catchIf(ValidationError.isValidationError, () => Effect.sync(() => (process.exitCode = 2))),
            Effect.catchAllCause((cause) =>
              Cause.isInterruptedOnly(cause)
                ? Effect.void
                : Console.error(`error: ${errorMessage(cause)}`).pipe(
                    Effect.tap(() => reporter?.captureException(Cause.squash(cause), `s2s ${words[0] ?? ""} failed`)),
                    Effect.zipRight(Effect.sync(() => (process.exitCode = 1)))
                  )
            )
          )
  return program.pipe(
    (effect) => (color ? effect : plain(effect)),
    // What is still in flight to Sentry goes before the process exits.
    Effect.ensuring(reporter === undefined ? Effect.void : Effect.promise(() => reporter.flush(2_000))),
    // Long-running commands log their progress; one-shot commands only warnings, so stdout stays theirs.
    Effect.provide(
      Layer.mergeAll(
        NodeContext.layer,
        LoggingLive(["serve", "worker"].includes(words[0] ?? "") ? "info" : "warning"),
        reporter === undefined ? Layer.empty : Logger.add(reportingLogger(reporter))
      )
    )
  )
}

const errorMessage = (cause: Cause.Cause<unknown>) => {
  const error = Cause.squash(cause)
  return error instanceof Error ? error.message : Cause.pretty(cause)
}
