// The web console in a real browser, against the service as `npm start` runs it (bin/s2s.js serve with
// the bundled demo configuration, which builds the console) after `s2s demo` posted its orders: an
// operator logs in, finds a demo order and reads its timeline, re-dispatches the dead letter; a
// marketer opens the Slack alert's signed link without a token and sees only masked data; an auditor
// is refused the re-dispatch; and every page passes axe-core without serious or critical violations.
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { promisify } from "node:util"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort } from "../../src/db/embedded.js"
import { createToken, RAW_PII } from "../orders/support.js"
import { freshDatabase } from "../support/db.js"
import { eventually } from "../support/fakeServer.js"
import { type Browser, launch, screenshot, seriousViolations, watchErrors } from "./browser.js"

const DEAD_LETTER = "shop-de:7384345"
const GOOGLE_ORDER = "shop-de:7384341"

let base: string
let service: ChildProcess
let operator: Browser
const tokens = { audit: "", operate: "", admin: "" }

const stopService = () =>
  new Promise<void>((resolve) => {
    if (service.exitCode !== null) return resolve()
    service.once("exit", () => resolve())
    service.kill("SIGTERM")
  })

beforeAll(async () => {
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  const databaseUrl = await freshDatabase()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    LOG_FORMAT: "json",
    LOG_LEVEL: "warning",
    S2S_PUBLIC_URL: base
  }
  for (const name of [
    "S2S_CONFIG",
    "META_GRAPH_URL",
    "GOOGLE_DATA_MANAGER_URL",
    "GOOGLE_OAUTH_TOKEN_URL",
    "SLACK_API_URL",
    "S2S_DEMO"
  ])
    delete env[name]
  service = spawn("node", ["bin/s2s.js", "serve"], { env, stdio: "ignore" })
  await eventually(
    async () => ((await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined),
    120_000
  )
  const demo = await promisify(execFile)("node", ["bin/s2s.js", "demo", "--url", base, "--wait", "90"], {
    env,
    encoding: "utf8"
  })
  expect(demo.stdout).toMatch(/shop-de:7384345 .*belboon:dead_lettered/)
  for (const scope of ["audit", "operate", "admin"] as const) tokens[scope] = await createToken(databaseUrl, scope)
  operator = await launch()
}, 240_000)

afterAll(async () => {
  await operator?.close()
  if (service !== undefined) await stopService()
})

const logIn = async (page: Page, token: string) => {
  await page.goto(`${base}/console`)
  await page.getByLabel("API token").fill(token)
  await page.getByRole("button", { name: "Log in" }).click()
  await page.getByRole("heading", { level: 1, name: "Orders" }).waitFor()
}

const expectAccessible = async (page: Page, name: string) => {
  const violations = await seriousViolations(page)
  expect(violations, `${name}: ${JSON.stringify(violations, null, 2)}`).toEqual([])
}

describe("an operator", () => {
  let page: Page
  let errors: () => ReadonlyArray<string>
  beforeAll(async () => {
    page = await operator.context.newPage()
    errors = watchErrors(page)
  })

  it("logs in with an API token and gets an HttpOnly session cookie", async () => {
    await page.goto(`${base}/console`)
    await page.getByRole("heading", { level: 1, name: "s2s console" }).waitFor()
    await expectAccessible(page, "log-in")
    await screenshot(page, "login")
    await logIn(page, tokens.operate)
    const cookies = await operator.context.cookies(`${base}/console`)
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.path])).toEqual([
      ["s2s_console", true, "Strict", "/console"]
    ])
    expect(await page.evaluate<string>("document.cookie")).toBe("")
    await expect.poll(() => page.getByRole("row").count()).toBeGreaterThan(5)
    await expectAccessible(page, "orders")
    await screenshot(page, "orders")
  })

  it("finds a demo order and reads its timeline, with each request and response", async () => {
    await page.getByLabel("Order key").fill(GOOGLE_ORDER)
    await page.getByRole("button", { name: "Search" }).click()
    await expect.poll(() => page.getByRole("row").count()).toBe(2)
    await page.getByRole("link", { name: GOOGLE_ORDER }).click()
    await page.getByRole("heading", { level: 1, name: `Order ${GOOGLE_ORDER}` }).waitFor()
    const timeline = page.locator("ol.timeline")
    await expect.poll(() => timeline.getByText(/^webhook .* from shop-de/).count()).toBeGreaterThan(0)
    expect(await timeline.getByText(/attempt 1: POST .*\/demo\/meta/).count()).toBe(1)
    // Meta's attempt, wherever it falls among the others (Google's may be recorded first; its first
    // exchange is the OAuth token request).
    const metaAttempt = timeline.locator("li").filter({ hasText: /attempt 1: POST .*\/demo\/meta/ })
    await metaAttempt.getByRole("group").filter({ hasText: "Request and response" }).locator("summary").click()
    const exchange = metaAttempt.getByRole("region", { name: "HTTP exchange 1" })
    await expect.poll(() => exchange.getByText(/^Response: HTTP 200/).count()).toBe(1)
    expect(await exchange.getByRole("region", { name: "Request body" }).textContent()).toContain(
      '"event_name": "Purchase"'
    )
    // Masked for an operator: the customer's e-mail never reaches the page.
    const text = (await page.textContent("main")) ?? ""
    for (const pii of RAW_PII) expect(text).not.toContain(pii)
    await expectAccessible(page, "order")
    await screenshot(page, "order-timeline")
  })

  it("re-dispatches the dead letter from Needs attention: dry run, then confirm", async () => {
    await page.getByRole("link", { name: "Needs attention" }).click()
    await page.getByRole("heading", { level: 1, name: "Needs attention" }).waitFor()
    const row = page.getByRole("row").filter({ hasText: DEAD_LETTER })
    await expect.poll(() => row.count()).toBe(1)
    expect(await row.textContent()).toContain("belboon")
    // Every state an operator must decide on is listed, held ones (outcome unknown) first.
    expect(await page.getByText(/outcome unknown: ask the partner before sending again/).count()).toBe(1)
    await page.getByRole("heading", { level: 2, name: "Webhooks that became no order" }).waitFor()
    await expectAccessible(page, "needs attention")
    await screenshot(page, "attention")
    await row.getByRole("button", { name: "Re-dispatch…" }).click()
    const dialog = page.getByRole("dialog")
    await expect.poll(() => dialog.getByText(/Dry run, nothing sent/).count()).toBe(1)
    expect(await dialog.textContent()).toContain("1 of 1 dispatch(es) would be sent")
    await expectAccessible(page, "re-dispatch dry run")
    await screenshot(page, "redispatch-dry-run")
    await dialog.getByRole("button", { name: "Confirm re-dispatch" }).click()
    await expect.poll(() => dialog.getByText(/1 of 1 dispatch\(es\) requested/).count(), { timeout: 15_000 }).toBe(1)
    await dialog.getByRole("button", { name: "Close", exact: true }).click()
    // The worker sends it; the demo's belboon answers this time.
    await page.getByRole("link", { name: "Orders" }).click()
    await page.goto(`${base}/console/order?key=${encodeURIComponent(DEAD_LETTER)}`)
    const belboon = page.getByRole("row").filter({ hasText: "belboon" })
    await expect
      .poll(
        async () => {
          await page.reload()
          return (await belboon.first().textContent()) ?? ""
        },
        { timeout: 30_000, interval: 500 }
      )
      .toContain("succeeded")
    const timeline = page.locator("ol.timeline")
    expect(await timeline.getByText(/re-dispatch requested by token:/).count()).toBe(1)
    expect(await timeline.getByText(/^given up: .*\b2 attempts\b/).count()).toBe(1)
    // The README's picture: the dead letter's story, its first failed attempt opened.
    await timeline.getByRole("group").filter({ hasText: "Request and response" }).nth(1).locator("summary").click()
    await screenshot(
      page,
      "dead-letter-timeline",
      "console-timeline.png",
      page.locator("section[aria-labelledby=timeline-h]")
    )
  })

  it("sees rules, coverage and queue health, each accessible", async () => {
    await page.getByRole("link", { name: "Rules" }).click()
    await page.getByRole("heading", { level: 2, name: "Current rules" }).waitFor()
    await expect.poll(() => page.getByRole("row").count()).toBeGreaterThan(2)
    await page.getByLabel("Order key").fill(GOOGLE_ORDER)
    await page.getByRole("button", { name: "Explain" }).click()
    await expect.poll(() => page.getByText(/Routed to: .*google-acme/).count()).toBe(1)
    await expectAccessible(page, "rules")
    await screenshot(page, "rules")

    await page.getByRole("link", { name: "Coverage" }).click()
    await page.getByRole("heading", { level: 2, name: "Match quality per target" }).waitFor()
    await expect.poll(() => page.locator(".stat-value").first().textContent()).not.toBe("0")
    expect(await page.locator("canvas").count()).toBeGreaterThan(0)
    await expectAccessible(page, "coverage")
    await screenshot(page, "coverage", "console-coverage.png")

    await page.getByRole("link", { name: "Queue" }).click()
    await page.getByRole("heading", { level: 2, name: "Projections" }).waitFor()
    await expect.poll(() => page.getByRole("row").filter({ hasText: "dispatch_facts" }).count()).toBe(1)
    await expectAccessible(page, "queue")
    await screenshot(page, "queue")
  })

  it("saw no script error and no Content-Security-Policy violation on any page", () => {
    expect(errors()).toEqual([])
  })
})

describe("a marketer with the Slack alert's link", () => {
  it("opens the order without a token, read-only, with personal data masked", async () => {
    const sink = (await (await fetch(`${base}/demo/slack/messages`)).json()) as { messages: Array<{ blocks: unknown }> }
    const links = sink.messages.flatMap((m) =>
      [...JSON.stringify(m.blocks).matchAll(/<(http[^|>]+\/console\/link\?[^|>]+)\|/g)].map((x) => x[1]!)
    )
    const link = links.find((l) => l.includes(encodeURIComponent(DEAD_LETTER)))
    expect(link).toBeDefined()
    const marketer = await launch()
    try {
      const page = await marketer.context.newPage()
      const errors = watchErrors(page)
      await page.goto(link!.replace(/&amp;/g, "&"))
      await page.getByRole("heading", { level: 1, name: `Order ${DEAD_LETTER}` }).waitFor()
      await expect.poll(() => page.getByText(/Read-only view from a signed link, personal data masked/).count()).toBe(1)
      expect(await marketer.context.cookies(`${base}/console`)).toEqual([])
      const text = (await page.textContent("body")) ?? ""
      for (const pii of RAW_PII) expect(text).not.toContain(pii)
      expect(text).toMatch(/l\*\*\*@example\.de/)
      expect(await page.getByRole("button", { name: /Re-dispatch|Reveal/ }).count()).toBe(0)
      await expectAccessible(page, "signed link")
      await screenshot(page, "signed-link")
      expect(errors()).toEqual([])
      // The same link with another order is refused.
      await page.goto(
        link!.replace(/&amp;/g, "&").replace(encodeURIComponent(DEAD_LETTER), encodeURIComponent(GOOGLE_ORDER))
      )
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("this link is not valid")
    } finally {
      await marketer.close()
    }
  })
})

describe("an auditor", () => {
  it("reads, but is refused the re-dispatch, with the scope it needs", async () => {
    const auditor = await launch()
    try {
      const page = await auditor.context.newPage()
      await logIn(page, tokens.audit)
      await page.getByRole("link", { name: "Needs attention" }).click()
      await page.getByRole("heading", { level: 2, name: "Webhooks that became no order" }).waitFor()
      const fresh = await auditor.context.newPage()
      await fresh.goto(`${base}/console/order?key=${encodeURIComponent(GOOGLE_ORDER)}`)
      await fresh.getByRole("heading", { level: 1, name: `Order ${GOOGLE_ORDER}` }).waitFor()
      await fresh
        .getByRole("row")
        .filter({ hasText: "google-acme" })
        .getByRole("button", { name: "Re-dispatch…" })
        .click()
      const dialog = fresh.getByRole("dialog")
      await expect
        .poll(() => dialog.getByRole("alert").textContent())
        .toContain("Not allowed: this needs a token with scope operate or higher (you are signed in as audit)")
      expect(await dialog.getByRole("button", { name: /Confirm/ }).count()).toBe(0)
      await expectAccessible(fresh, "refused action")
      await screenshot(fresh, "audit-refused")
    } finally {
      await auditor.close()
    }
  })
})
