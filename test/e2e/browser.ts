// Headless Chromium for the console's end-to-end tests: the system's /usr/bin/chromium driven by
// playwright-core (no browser download), a fresh profile per run, no background traffic. Helpers check
// a page with axe-core and save screenshots under test-results/ (git-ignored); with
// S2S_SCREENSHOTS=docs the README's screenshots under docs/ are written too.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core"

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
export const SCREENSHOTS = "test-results/screenshots"

export interface Browser {
  readonly context: BrowserContext
  readonly close: () => Promise<void>
}

/** A browser with its own fresh profile (cookies, storage): one per person in the story. */
export const launch = async (): Promise<Browser> => {
  const profile = mkdtempSync(join(tmpdir(), "s2s-chromium-"))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run"
    ]
  })
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }
}

// Read once; evaluated through the DevTools protocol, which the page's Content-Security-Policy (no
// inline scripts) does not govern, so the console is checked with its real CSP in force.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")

export interface Violation {
  readonly id: string
  readonly impact: string | null
  readonly help: string
  readonly nodes: ReadonlyArray<string>
}

const RUN_AXE = `(async () => {
  const result = await window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    resultTypes: ["violations"]
  })
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }))
})()`

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA, best practices). */
export const seriousViolations = async (page: Page): Promise<ReadonlyArray<Violation>> => {
  if (!(await page.evaluate<boolean>("typeof window.axe === 'object'"))) await page.evaluate(axeSource)
  return page.evaluate<ReadonlyArray<Violation>>(RUN_AXE)
}

/**
 * Script errors and console errors of a page (CSP violations included), except the browser's own
 * note on every non-2xx response: refusals (401 before log-in, 403 for an audit token) are expected.
 */
export const watchErrors = (page: Page) => {
  const errors: Array<string> = []
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`))
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) errors.push(message.text())
  })
  return () => errors
}

/** The full page under test-results/; with S2S_SCREENSHOTS=docs also `docs` (the viewport, or `part`). */
export const screenshot = async (page: Page, name: string, docs?: string, part?: Locator) => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
  if (docs !== undefined && process.env.S2S_SCREENSHOTS === "docs") {
    mkdirSync("docs", { recursive: true })
    if (part === undefined) await page.screenshot({ path: join("docs", docs) })
    else await part.screenshot({ path: join("docs", docs) })
  }
}
