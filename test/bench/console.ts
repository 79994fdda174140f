// console: how fast each console page's data comes, on the demo data (`s2s demo` through the real
// pipeline; target < 300 ms) and on N generated orders (--orders, default 100,000, over 30 days; target
// < 1 s). A page's first render waits for the API calls it makes, in parallel as the browser makes
// them: the figure is that wall time, the first (cold) call and the median of 6 more. When
// /usr/bin/chromium exists, the time from navigation to the page's content in a real browser too.
// Baseline, same run and database: `select 1` over the same HTTP stack is the API floor (GET /readyz).
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { promisify } from "node:util"
import { makeSql } from "../../src/db/Db.js"
import { freePort } from "../../src/db/embedded.js"
import { generateToken, sha256 } from "../../src/tokens/Tokens.js"
import { seedOrders } from "./consoleSeed.js"
import { type BenchDatabase, type BenchOptions, cleanups, markLoad, note, record, sleep } from "./support.js"

const RUNS = 7

interface Served {
  readonly base: string
  readonly stop: () => Promise<void>
}

const serve = async (
  databaseUrl: string,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {}
): Promise<Served> => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    LOG_LEVEL: "warning"
  }
  for (const name of ["S2S_CONFIG", "META_GRAPH_URL", "GOOGLE_DATA_MANAGER_URL", "SLACK_API_URL", "S2S_DEMO"])
    if (!(name in env)) delete childEnv[name]
  const child: ChildProcess = spawn(process.execPath, ["bin/s2s.js", "serve", ...args], {
    env: childEnv,
    stdio: "ignore"
  })
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once("exit", () => resolve())
      child.kill("SIGTERM")
    })
  cleanups.add(stop)
  for (let i = 0; i < 480; i++) {
    if ((await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200) return { base, stop }
    await sleep(250)
  }
  await stop()
  throw new Error("the service did not become ready")
}

const adminToken = async (databaseUrl: string) => {
  const token = generateToken("admin")
  const sql = makeSql(databaseUrl, { max: 1 })
  try {
    await sql`insert into api_tokens (token_id, token_sha256, scope, label) values (${`tok_bench${Date.now()}`}, ${sha256(token)}, 'admin', 'console bench')`
  } finally {
    await sql.end()
  }
  return token
}

const login = async (base: string, token: string) => {
  const res = await fetch(`${base}/console/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token })
  })
  if (res.status !== 200) throw new Error(`log-in answered ${res.status}`)
  const { csrfToken } = (await res.json()) as { csrfToken: string }
  return { cookie: (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "", csrf: csrfToken }
}

type Call = readonly [method: "GET" | "POST", path: string, body?: unknown]

const timeCalls = async (base: string, session: { cookie: string; csrf: string }, calls: ReadonlyArray<Call>) => {
  const started = performance.now()
  await Promise.all(
    calls.map(async ([method, path, body]) => {
      const res = await fetch(`${base}/console/api${path}`, {
        method,
        headers: { cookie: session.cookie, "x-csrf-token": session.csrf, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`)
      await res.arrayBuffer()
    })
  )
  return performance.now() - started
}

const median = (values: ReadonlyArray<number>) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN

const measure = async (
  label: string,
  base: string,
  databaseUrl: string,
  pages: ReadonlyArray<readonly [name: string, calls: ReadonlyArray<Call>, url: string]>,
  target: string
) => {
  const session = await login(base, await adminToken(databaseUrl))
  const floor: Array<number> = []
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    await (await fetch(`${base}/readyz`)).arrayBuffer()
    floor.push(performance.now() - t)
  }
  record({
    benchmark: "console",
    case: `${label}: baseline GET /readyz (select 1 + migrations check)`,
    value: median(floor),
    unit: "ms"
  })
  markLoad(`console, ${label}`)
  for (const [name, calls] of pages) {
    const times: Array<number> = []
    for (let i = 0; i < RUNS; i++) times.push(await timeCalls(base, session, calls))
    const warm = median(times.slice(1))
    record({
      benchmark: "console",
      case: `${label}: ${name} (cold ${Math.round(times[0]!)} ms)`,
      value: warm,
      unit: "ms",
      baseline: median(floor),
      ratio: warm / median(floor),
      target
    })
  }
  if (!existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"))
    return note("console", "no Chromium: browser first render not measured")
  const { launch } = await import("../e2e/browser.js")
  const browser = await launch()
  try {
    const page = await browser.context.newPage()
    await browser.context.addCookies([
      { name: "s2s_console", value: session.cookie.split("=")[1] ?? "", url: `${base}/console` }
    ])
    await page.goto(`${base}/console/queue`)
    await page.locator("main table").first().waitFor()
    for (const [name, , url] of pages) {
      const times: Array<number> = []
      for (let i = 0; i < 3; i++) {
        const t = performance.now()
        await page.goto(`${base}${url}`)
        await page
          .locator("main table, main .empty, main ol.timeline, main .stats")
          .first()
          .waitFor({ timeout: 30_000 })
        await page.waitForFunction("!document.querySelector('[role=status]')?.textContent?.startsWith('Loading')")
        times.push(performance.now() - t)
      }
      record({
        benchmark: "console",
        case: `${label}: ${name}, browser first render`,
        value: median(times),
        unit: "ms",
        target
      })
    }
  } finally {
    await browser.close()
  }
}

const pagesFor = (orderKey: string, target: string, search: Record<string, string>, yaml: string) => {
  const key = encodeURIComponent(orderKey)
  return [
    [
      "orders page",
      [
        ["GET", "/filters"],
        ["GET", "/orders?limit=50"]
      ],
      "/console/orders"
    ],
    ...Object.entries(search).map(
      ([name, query]) =>
        [`orders by ${name}`, [["GET", `/orders?${query}&limit=50`]], `/console/orders?${query}`] as const
    ),
    ["orders by target", [["GET", `/orders?target=${target}&limit=50`]], `/console/orders?target=${target}`],
    ["order timeline", [["GET", `/order?orderKey=${key}`]], `/console/order?key=${key}`],
    ["needs attention", [["GET", "/attention"]], "/console/attention"],
    [
      "rules + explain",
      [
        ["GET", "/rules"],
        ["GET", `/rules/explain?orderKey=${key}`]
      ],
      `/console/rules?orderKey=${key}`
    ],
    ["rules what-if (7 days)", [["POST", "/rules/what-if", { yaml }]], "/console/rules"],
    [
      "coverage (14 days)",
      [
        ["GET", "/filters"],
        ["GET", "/coverage"]
      ],
      "/console/coverage"
    ],
    ["queue", [["GET", "/queue"]], "/console/queue"]
  ] as ReadonlyArray<readonly [string, ReadonlyArray<Call>, string]>
}

const BENCH_CONFIG = `
sources:
  - { id: shop-bench, kind: shopify, company: acme, market: DE, secret: env:BENCH_SHOPIFY_SECRET }
partners:
  - { id: google, when: [gclid, "utm_source=google"] }
  - { id: meta, when: [fbclid, fbc] }
  - { id: awin, when: [awc] }
targets:
  - { id: google-bench, channel: google-ads, customerId: "1234567890", conversionActionId: "1", credentials: env:BENCH_GOOGLE }
  - { id: meta-bench, channel: meta-capi, pixelId: "1234567890", accessToken: env:BENCH_META }
  - { id: awin-bench, channel: postback, url: "https://www.awin1.com/sread.php?ref={order_id}&cks={click_id}" }
rules:
  - { id: google-all, company: "*", product: "*", partner: "*", target: google-bench }
  - { id: meta-all, company: "*", product: "*", partner: "*", target: meta-bench }
  - { id: awin-all, company: "*", product: "*", partner: awin, target: awin-bench }
`

export const consoleBench = async (db: BenchDatabase, options: BenchOptions) => {
  const sha = (text: string) => sha256(text).toString("hex")
  // The demo, as a newcomer runs it: the service with the bundled configuration, then `s2s demo`.
  const demoUrl = await db.fresh("consoledemo")
  const demo = await serve(demoUrl, [])
  try {
    await promisify(execFile)("node", ["bin/s2s.js", "demo", "--url", demo.base, "--wait", "90"], {
      env: { ...process.env, DATABASE_URL: demoUrl }
    })
    const pages = pagesFor(
      "shop-de:7384345",
      "belboon",
      { "e-mail": `email=${sha("lena.mueller@example.de")}` },
      "rules: []\n"
    )
    await measure("demo data", demo.base, demoUrl, pages, "< 300 ms")
  } finally {
    await demo.stop()
    cleanups.delete(demo.stop)
  }

  const orders = options.orders ?? 100_000
  const bigUrl = await db.fresh("console100k")
  await seedOrders(bigUrl, orders)
  const env = {
    BENCH_SHOPIFY_SECRET: "x",
    BENCH_META: "x",
    BENCH_GOOGLE: '{"client_id":"a","client_secret":"b","refresh_token":"c"}'
  }
  const { writeFileSync, mkdtempSync, rmSync } = await import("node:fs")
  const { join, dirname } = await import("node:path")
  const { tmpdir } = await import("node:os")
  const file = join(mkdtempSync(join(tmpdir(), "s2s-console-bench-")), "s2s.yaml")
  writeFileSync(file, BENCH_CONFIG)
  const big = await serve(bigUrl, ["--api-only", "--config", file], env)
  cleanups.add(async () => rmSync(dirname(file), { recursive: true, force: true }))
  try {
    const middle = Math.floor(orders / 2)
    const pages = pagesFor(
      `shop-bench:${middle}`,
      "awin-bench",
      {
        "e-mail": `email=${sha(`customer${middle}@example.de`)}`,
        "click id": `clickId=1001_1764065583_${middle}`,
        "order key prefix": `orderKey=shop-bench:${middle}`,
        "company + market": "company=beta&market=FR"
      },
      BENCH_CONFIG.replace(/ {2}- \{ id: awin-all.*\n/, "")
    )
    await measure(`${orders.toLocaleString("en")} orders`, big.base, bigUrl, pages, "< 1,000 ms")
  } finally {
    await big.stop()
    cleanups.delete(big.stop)
  }
}
