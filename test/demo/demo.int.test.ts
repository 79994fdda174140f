// The demo as a newcomer runs it (README "Try the demo"): the service started with the bundled
// configuration (no s2s.yaml, no credentials), stopped and started again on the same database (a
// restart must keep demo mode), then `s2s demo`, one order's story with `s2s orders log`, a rebuild of
// the conversions view, the re-dispatch of the dead letter, and the Slack messages at the sink.
import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort } from "../../src/db/embedded.js"
import { fromRoot } from "../../src/lib/paths.js"
import { appSql, freshDatabase } from "../support/db.js"
import { startService } from "../support/service.js"
import { waitUntil } from "../support/wait.js"

let port: number
let env: NodeJS.ProcessEnv
let databaseUrl: string
// The service and the CLI run in a directory without s2s.yaml (a checkout may have one): the service
// applies the bundled demo configuration.
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "s2s-demo-"))
const bin = fromRoot("bin", "s2s.js")
afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }))

const start = async () => {
  const child = spawn("node", [bin, "serve"], { env, stdio: "ignore", cwd })
  const ready = await waitUntil(
    "the service ready",
    async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200,
    60_000
  ).catch(() => undefined)
  if (ready !== undefined) return child
  child.kill("SIGTERM")
  throw new Error("the service did not become ready")
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once("exit", () => resolve())
    child.kill("SIGTERM")
  })

const s2s = (...args: Array<string>) => s2sWith(env, ...args)

const s2sWith = async (env: NodeJS.ProcessEnv, ...args: Array<string>) => {
  try {
    const { stdout, stderr } = await promisify(execFile)("node", [bin, ...args], { env, encoding: "utf8", cwd })
    return { exitCode: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string }
    return { exitCode: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" }
  }
}

beforeAll(async () => {
  port = await freePort()
  databaseUrl = await freshDatabase()
  env = { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), LOG_FORMAT: "json" }
  for (const name of [
    "S2S_CONFIG",
    "META_GRAPH_URL",
    "GOOGLE_DATA_MANAGER_URL",
    "GOOGLE_OAUTH_TOKEN_URL",
    "SLACK_API_URL",
    "S2S_DEMO",
    "S2S_DEMO_SHOPIFY_SECRET",
    "S2S_DEMO_WOOCOMMERCE_SECRET"
  ])
    delete env[name]
  // The first start applies it; the second finds it in the database and must still run the demo.
  await stop(await start())
  const child = await start()
  return () => stop(child)
}, 180_000)

const DEMO_KEYS = {
  google: "shop-de:7384341",
  test: "shop-de:7384343",
  deadLetter: "shop-de:7384345"
}

describe("s2s demo", () => {
  it("after a restart: conversions, an ignored test order, a retry, a dead letter and the tracking alert", async () => {
    const { exitCode, stdout, stderr } = await s2s("demo", "--url", `http://127.0.0.1:${port}`, "--wait", "60")
    expect(exitCode, stdout + stderr).toBe(0)
    const line = (label: string) => stdout.split("\n").find((l) => l.includes(label)) ?? ""
    expect(stdout).toContain('"duplicate":true')
    // The first run on a database uses the keys the README shows.
    expect(line("delivered to google-acme and meta-acme")).toMatch(
      /^shop-de:7384341 .*meta-acme:succeeded, google-acme:succeeded/
    )
    expect(line("delivered to awin")).toMatch(/awin:succeeded/)
    expect(line("ignored: test order")).toMatch(/^shop-de:7384343 .*ignored/)
    expect(line("retried once")).toMatch(/^woo-fr:7384344 .*tradedoubler:succeeded\(2 attempts\)/)
    expect(line("dead-lettered at belboon")).toMatch(/^shop-de:7384345 .*belboon:dead_lettered\(2 attempts\)/)
    // The alerts, without curl: the tracking alert and the dead letter's, both posted.
    const alerts = stdout.slice(stdout.indexOf("alerts raised"))
    expect(alerts).toMatch(/shop-de:7384346 +contradicting_tracking .* sent/)
    expect(alerts).toMatch(/shop-de:7384345 +dead_letter +belboon.* sent/)
    expect(stdout).toContain(`npx s2s redispatch --order ${DEMO_KEYS.deadLetter} --state dead_lettered`)

    const slack = (await (await fetch(`http://127.0.0.1:${port}/demo/slack/messages`)).json()) as {
      messages: Array<{ channel: string; text: string }>
    }
    const texts = slack.messages.map((m) => m.text)
    expect(texts.some((t) => t.includes("utm_source=google but no gclid"))).toBe(true)
    expect(texts.some((t) => t.includes("belboon"))).toBe(true)
    expect(slack.messages.every((m) => m.channel === "#tracking-alerts")).toBe(true)
  }, 180_000)

  it("orders log tells the first order's story; an unknown order exits 1", async () => {
    const log = await s2s("orders", "log", DEMO_KEYS.google)
    expect(log.exitCode, log.stderr).toBe(0)
    for (const stage of ["ingest", "normalize", "route", "dispatch"])
      expect(log.stdout).toMatch(new RegExp(`\\b${stage}\\b`))
    expect(log.stdout).toMatch(/duplicate/)
    expect(log.stdout).toMatch(/dispatch +succeeded +google-acme /)
    expect(log.stdout).toMatch(/dispatch +succeeded +meta-acme /)
    const unknown = await s2s("orders", "log", "shop-de:1")
    expect(unknown.exitCode).toBe(1)
    expect(unknown.stderr).toContain("shop-de:1")
  }, 60_000)

  it("rebuilds the conversions view equal to the live one, and reports a live row that drifted", async () => {
    const run = await s2s("projections", "rebuild", "conversions")
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^conversions: rebuilt generation \d+ -> \d+ .*; 0 added, 0 removed, 0 changed$/m)
    // A read model is not the log: damage one live row, and the rebuild restores it and names it.
    const sql = appSql(databaseUrl, 2)
    const damaged = await sql`
      update conversions set status = 'refunded'
      where order_key = ${DEMO_KEYS.google}
        and generation = (select active_generation from projections where name = 'conversions')`
    expect(damaged.count).toBe(1)
    const again = await s2s("projections", "rebuild", "conversions")
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/; 0 added, 0 removed, 1 changed$/m)
    expect(again.stdout).toContain(`  changed: ${DEMO_KEYS.google}`)
    const [row] = await sql<Array<{ status: string }>>`
      select status from conversions where order_key = ${DEMO_KEYS.google}
        and generation = (select active_generation from projections where name = 'conversions')`
    expect(row?.status).toBe("paid")
  }, 90_000)

  it("re-dispatches the dead letter: dry run first, then --yes, and belboon succeeds", async () => {
    const dry = await s2s("redispatch", "--order", DEMO_KEYS.deadLetter, "--state", "dead_lettered")
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toMatch(/^dry run: 1 dispatch selected, 1 would be sent/)
    expect(dry.stdout).toMatch(
      /belboon +conversion +dead_lettered +would send +GET http:\/\/127\.0\.0\.1:\d+\/demo\/partner\/broken/
    )
    const run = await s2s("redispatch", "--order", DEMO_KEYS.deadLetter, "--state", "dead_lettered", "--yes")
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^1 dispatch selected, 1 requested/)
    const sql = appSql(databaseUrl, 2)
    let state: string | undefined
    await waitUntil(
      "the re-dispatch succeeded",
      async () => {
        const rows = await sql<Array<{ status: string }>>`
          select d->>'status' as status from conversions c, jsonb_array_elements(c.doc->'dispatch') d
          where c.order_key = ${DEMO_KEYS.deadLetter} and d->>'targetId' = 'belboon'
            and c.generation = (select active_generation from projections where name = 'conversions')`
        state = rows[0]?.status
        return state === "succeeded"
      },
      30_000
    ).catch(() => undefined)
    expect(state).toBe("succeeded")
    const log = await s2s("orders", "log", DEMO_KEYS.deadLetter)
    expect(log.stdout).toMatch(/operator .*re-dispatch .*requested by cli:/)
    // Succeeded now: a second re-dispatch needs --force.
    const again = await s2s("redispatch", "--order", DEMO_KEYS.deadLetter, "--target", "belboon")
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toMatch(/belboon +conversion +succeeded +skipped +already delivered \(use --force\)/)
    expect(again.stdout).toContain("nothing to send")
  }, 90_000)

  it("--force sends a delivered conversion again under the same Meta event_id", async () => {
    const sql = appSql(databaseUrl, 2)
    const succeeded = () => sql<Array<{ dedup: string }>>`
      select data->>'dedupKey' as dedup from events
      where stream_id = ${`order-${DEMO_KEYS.google}`} and type = 'DispatchSucceeded' and data->>'targetId' = 'meta-acme'
      order by global_position`
    const before = await succeeded()
    expect(before).toHaveLength(1)
    const dry = await s2s("redispatch", "--order", DEMO_KEYS.google, "--target", "meta-acme", "--force")
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toMatch(/meta-acme +conversion +succeeded +would send/)
    expect(dry.stdout).toContain(before[0]!.dedup)
    const run = await s2s("redispatch", "--order", DEMO_KEYS.google, "--target", "meta-acme", "--force", "--yes")
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/1 requested/)
    let after = before
    await waitUntil(
      "the forced send succeeded",
      async () => {
        after = await succeeded()
        return after.length >= 2
      },
      30_000
    ).catch(() => undefined)
    expect(after.map((r) => r.dedup)).toEqual([before[0]!.dedup, before[0]!.dedup])
    const [forced] = await sql<Array<{ force: boolean }>>`
      select (data->>'force')::boolean as force from events
      where stream_id = ${`order-${DEMO_KEYS.google}`} and type = 'DispatchRequested'`
    expect(forced?.force).toBe(true)
  }, 90_000)

  it("a second demo run on the same database uses the next keys", async () => {
    const { exitCode, stdout, stderr } = await s2s("demo", "--url", `http://127.0.0.1:${port}`, "--wait", "60")
    expect(exitCode, stdout + stderr).toBe(0)
    expect(stdout).toContain("demo run 2")
    expect(stdout).toMatch(/^shop-de:7384351 /m)
    expect(DEMO_KEYS.test).toBe("shop-de:7384343")
  }, 180_000)
})

describe("s2s demo against a service that does not accept it", () => {
  it("exits 1 naming the cause when the service is not in demo mode (its webhooks answer 503)", async () => {
    // The demo's configuration given as an operator's file: no demo mode, so S2S_DEMO_* stay unset.
    const other = await startService({ config: fs.readFileSync("examples/s2s.yaml", "utf8") })
    const run = await s2sWith(
      { ...env, DATABASE_URL: other.databaseUrl },
      "demo",
      "--url",
      other.baseUrl,
      "--wait",
      "1"
    )
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/^ {2}503 Google Ads click/m)
    expect(run.stderr).toContain("webhook answered HTTP 503")
    expect(run.stderr).toContain("not running in demo mode")
    // It stopped at the first refusal.
    expect(run.stdout).not.toContain("Awin affiliate click")
  }, 60_000)

  it("exits 1 with the cause when nothing listens", async () => {
    const closed = await freePort()
    const run = await s2s("demo", "--url", `http://127.0.0.1:${closed}`, "--wait", "1")
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain("start the service first")
  }, 60_000)
})
