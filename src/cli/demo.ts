// `s2s demo [--url URL] [--wait S]`: posts the demo webhooks to a running service and follows them
// (run/demo.ts).
import { Command, Options } from "@effect/cli"
import { type Input, lazy } from "./lazy.js"

const config = {
  url: Options.text("url").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription("the running service (default http://localhost:$PORT, PORT defaulting to 3000)"),
    Options.optional
  ),
  wait: Options.integer("wait").pipe(
    Options.withPseudoName("SECONDS"),
    Options.withDescription("seconds to follow the orders"),
    Options.withDefault(60)
  )
}
export type DemoInput = Input<typeof config>

export const demo = Command.make(
  "demo",
  config,
  lazy(
    () => import("./run/demo.js"),
    (m) => m.demo
  )
).pipe(Command.withDescription("Post the bundled example webhooks to a running service and show what happened"))
