// The demo as a newcomer runs it: the service started with the bundled configuration (no s2s.yaml,
// no credentials), then `s2s demo`, then the Slack messages at the built-in sink.
import { execFile, spawn } from "node:child_process"
import { promisify } from "node:util"
import { beforeAll, describe, expect, it } from "vitest"
import { freePort } from "../../src/db/embedded.js"
import { freshDatabase } from "../support/db.js"

let port: number
let env: NodeJS.ProcessEnv
beforeAll(async () => {
  port = await freePort()
  env = { ...process.env, DATABASE_URL: await freshDatabase(), PORT: String(port), LOG_FORMAT: "json" }
  for (const name of [
    "S2S_CONFIG",
    "META_GRAPH_URL",
    "GOOGLE_DATA_MANAGER_URL",
    "GOOGLE_OAUTH_TOKEN_URL",
    "SLACK_API_URL"
  ])
    delete env[name]
  // cwd is the checkout, which has no s2s.yaml: the service applies the bundled demo configuration.
  const child = spawn("node", ["bin/s2s.js", "serve"], { env, stdio: "ignore" })
  return () => {
    child.kill("SIGTERM")
  }
}, 120_000)

describe("s2s demo", () => {
  it("shows conversions, an ignored test order, a retry, a dead letter and a tracking alert", async () => {
    for (let i = 0; i < 240; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined)
      if (res?.status === 200) break
      await new Promise((r) => setTimeout(r, 250))
    }
    const { stdout } = await promisify(execFile)(
      "node",
      ["bin/s2s.js", "demo", "--url", `http://127.0.0.1:${port}`, "--wait", "60"],
      {
        env,
        encoding: "utf8"
      }
    )
    const line = (label: string) => stdout.split("\n").find((l) => l.includes(label)) ?? ""
    expect(stdout).toContain('"duplicate":true')
    expect(line("delivered to google-acme and meta-acme")).toMatch(/meta-acme:succeeded, google-acme:succeeded/)
    expect(line("delivered to awin")).toMatch(/awin:succeeded/)
    expect(line("ignored: test order")).toMatch(/ignored/)
    expect(line("retried once")).toMatch(/tradedoubler:succeeded\(2 attempts\)/)
    expect(line("dead-lettered at belboon")).toMatch(/belboon:dead_lettered\(2 attempts\)/)

    const slack = (await (await fetch(`http://127.0.0.1:${port}/demo/slack/messages`)).json()) as {
      messages: Array<{ channel: string; text: string }>
    }
    const texts = slack.messages.map((m) => m.text)
    expect(texts.some((t) => t.includes("utm_source=google but no gclid"))).toBe(true)
    expect(texts.some((t) => t.includes("belboon"))).toBe(true)
    expect(slack.messages.every((m) => m.channel === "#tracking-alerts")).toBe(true)
  }, 180_000)
})
