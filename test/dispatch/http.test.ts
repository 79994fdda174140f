// What an HTTP exchange records: secrets scrubbed however short, the response body cut at 8 KiB of
// UTF-8 (bytes, not characters) without splitting a character.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { httpCall, RECORDED_BODY_LIMIT, REDACTED, redactUrl, scrub, truncateUtf8 } from "../../src/dispatch/http.js"

describe("scrub", () => {
  it.each([
    ["a 3-character secret is still a secret", "key=k9Z&x=1 k9Z", ["k9Z"], `key=${REDACTED}&x=1 ${REDACTED}`],
    ["a 2-character one too", "t=Q7", ["Q7"], `t=${REDACTED}`],
    ["longest first: a secret inside another leaves no piece of it", "abcdef", ["abc", "abcdef"], REDACTED],
    ["a single character is not scrubbed from running text", "banana", ["a"], "banana"],
    ["an empty value scrubs nothing", "text", [""], "text"]
  ])("%s", (_, text, secrets, expected) => {
    expect(scrub(text, secrets)).toBe(expected)
  })

  it("redacts a query value equal to a secret, even a single character", () => {
    expect(redactUrl("https://p.example/t?pin=7&ref=1701", [], ["7"])).toBe(
      `https://p.example/t?pin=${encodeURIComponent(REDACTED)}&ref=1701`
    )
  })
})

describe("truncateUtf8", () => {
  it.each([
    ["ascii within the limit", "abc", 3, "abc", false],
    ["ascii over the limit", "abcd", 3, "abc", true],
    ["a 2-byte character that does not fit is dropped whole", "aé", 2, "a", true],
    ["a 4-byte emoji is never split", "ab🎉", 5, "ab", true],
    ["exactly at a boundary", "éé", 4, "éé", false]
  ])("%s", (_, text, limit, expected, truncated) => {
    expect(truncateUtf8(text, limit)).toEqual({ text: expected, truncated })
  })
})

let origin: string
let reply = ""
const server = createServer((req, res) => {
  req.resume()
  req.on("end", () => res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(reply))
})
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe("httpCall's record", () => {
  it("keeps at most 8 KiB of the body's UTF-8 and scrubs a short secret from URL and response", async () => {
    reply = `echo k9Z ${"é".repeat(6000)}`
    const response = await Effect.runPromise(
      httpCall({ channel: "postback", method: "GET", url: `${origin}/p?key=k9Z`, timeoutMs: 5000, secrets: ["k9Z"] })
    )
    const recorded = response.exchange.response!
    expect(recorded.truncated).toBe(true)
    expect(Buffer.byteLength(recorded.body, "utf8")).toBeLessThanOrEqual(RECORDED_BODY_LIMIT)
    expect(Buffer.byteLength(recorded.body, "utf8")).toBeGreaterThan(RECORDED_BODY_LIMIT - 4)
    expect(recorded.body.startsWith(`echo ${REDACTED} é`)).toBe(true)
    expect(recorded.body).not.toContain("\uFFFD")
    expect(response.exchange.request.url).toBe(`${origin}/p?key=${REDACTED}`)
    // What the adapter judges is the whole answer, unscrubbed.
    expect(response.body).toBe(reply)
  })
})
