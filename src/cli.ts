// The `s2s` command: composition root of the CLI. Exit codes: 0 ok, 1 failure, 2 usage error.
import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Layer } from "effect"
import { config } from "./cli/config.js"
import { demo } from "./cli/demo.js"
import { erase } from "./cli/erase.js"
import { orders } from "./cli/orders.js"
import { projections } from "./cli/projections.js"
import { redispatch } from "./cli/redispatch.js"
import { renormalize } from "./cli/renormalize.js"
import { rules } from "./cli/rules.js"
import { migrate, serve, worker } from "./cli/serve.js"
import { tokens } from "./cli/tokens.js"
import { webhooks } from "./cli/webhooks.js"
import { LoggingLive } from "./lib/logging.js"
import { VERSION } from "./lib/version.js"

const s2s = Command.make("s2s").pipe(
  Command.withDescription("Server-to-server conversion tracking: webhooks in, Google Ads / Meta / postbacks out"),
  Command.withSubcommands([
    serve,
    worker,
    migrate,
    config,
    tokens,
    projections,
    redispatch,
    renormalize,
    erase,
    demo,
    orders,
    webhooks,
    rules
  ])
)

const run = Command.run(s2s, { name: "s2s", version: VERSION })

export const main = (argv: ReadonlyArray<string>) =>
  run(argv).pipe(
    Effect.catchIf(ValidationError.isValidationError, () => Effect.sync(() => (process.exitCode = 2))),
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.void
        : Console.error(
            `error: ${Cause.squash(cause) instanceof Error ? (Cause.squash(cause) as Error).message : Cause.pretty(cause)}`
          ).pipe(Effect.zipRight(Effect.sync(() => (process.exitCode = 1))))
    ),
    // Long-running commands log their progress; one-shot commands only warnings, so stdout stays theirs.
    Effect.provide(
      Layer.merge(NodeContext.layer, LoggingLive(["serve", "worker"].includes(argv[2] ?? "") ? "info" : "warning"))
    )
  )

NodeRuntime.runMain(main(process.argv), { disableErrorReporting: true, disablePrettyLogger: true })
