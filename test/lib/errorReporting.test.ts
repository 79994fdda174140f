// Error reporting with SENTRY_DSN: the real @sentry/node SDK posts to a fake Sentry on loopback, and
// what arrives carries the error but no email address, phone number or IP address, and no user or
// request data. Without a DSN nothing is loaded or sent.
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { gunzipSync } from "node:zlib"
import { Cause, Effect, Logger } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { reportingLogger, startErrorReporting } from "../../src/lib/errorReporting.js"
import { outboundFetch } from "../../src/lib/outbound.js"
import { scrubText } from "../../src/lib/scrub.js"

const received: Array<{ url: string; body: string }> = []
const headersSeen: Array<ReadonlyArray<string>> = []
const server = createServer((req: IncomingMessage, res) => {
  headersSeen.push(Object.keys(req.headers))
  const chunks: Array<Buffer> = []
  req.on("data", (c: Buffer) => chunks.push(c))
  req.on("end", () => {
    const raw = Buffer.concat(chunks)
    const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw).toString("utf8") : raw.toString("utf8")
    received.push({ url: req.url ?? "", body })
    res.writeHead(200, { "content-type": "application/json" })
    res.end("{}")
  })
})
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
const port = (server.address() as AddressInfo).port
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const EMAIL = "lena.mueller@example.de"
const PHONE = "+49 151 23456789"
const IP = "203.0.113.77"

describe("error reporting", () => {
  it("scrubs email addresses, phone numbers and IP addresses from text", () => {
    expect(scrubText(`order of ${EMAIL} (${PHONE}) from ${IP} and 2001:db8::1`)).toBe(
      "order of [email] ([phone]) from [ip] and [ip]"
    )
    expect(scrubText("call (030) 123-4567 or 0049 30 1234567")).toBe("call [phone] or [phone]")
    // Written the ways pii.ts knows: URL-encoded in a landing URL, a trunk 0 with a slash.
    expect(scrubText("landing /?u=lena.mueller%40example.de, mobile 0151/23456789")).toBe(
      "landing /?u=[email], mobile [phone]"
    )
    // Ids, times and dates stay readable.
    const plain = "order shop-de:5678901234567 at 2026-11-02 10:00:31, HTTP 503 after 3 attempts"
    expect(scrubText(plain)).toBe(plain)
  })

  it("loads nothing without SENTRY_DSN", async () => {
    expect(await startErrorReporting({}, "test")).toBeUndefined()
  })

  it("sends logged errors to Sentry without personal data", async () => {
    const reporter = await startErrorReporting({ SENTRY_DSN: `http://publickey@127.0.0.1:${port}/42` }, "test")
    expect(reporter).toBeDefined()
    const failure = new Error(`dispatch failed for ${EMAIL}, phone ${PHONE}, client ${IP}`)
    await Effect.runPromise(
      Effect.logError(`job failed for order of ${EMAIL}`, Cause.fail(failure)).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, reportingLogger(reporter!)))
      )
    )
    reporter!.captureMessage(`contact ${EMAIL} at ${IP}`)
    expect(await reporter!.flush(5_000)).toBe(true)
    const envelopes = received.filter((r) => r.url.startsWith("/api/42/envelope/"))
    expect(envelopes.length).toBeGreaterThanOrEqual(2)
    const all = envelopes.map((e) => e.body).join("\n")
    expect(all).toContain("dispatch failed for [email], phone [phone], client [ip]")
    expect(all).toContain("contact [email] at [ip]")
    for (const secret of [EMAIL, PHONE, IP, "151 23456789", "ip_address"]) expect(all).not.toContain(secret)
  })

  it("adds no tracing header to requests to partners once the SDK runs", async () => {
    const reporter = await startErrorReporting({ SENTRY_DSN: `http://publickey@127.0.0.1:${port}/42` }, "test")
    expect(reporter).toBeDefined()
    for (const send of [outboundFetch, fetch]) {
      const res = await send(`http://127.0.0.1:${port}/partner`, { method: "POST", body: "{}" })
      await res.text()
      const headers = headersSeen.at(-1) ?? []
      expect(headers).toContain("content-length")
      expect(headers.filter((h) => h === "sentry-trace" || h === "baggage" || h === "traceparent")).toEqual([])
    }
  })
})
