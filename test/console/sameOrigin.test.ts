import type { HttpServerRequest } from "@effect/platform"
import { describe, expect, it } from "vitest"
import { sameOrigin } from "../../src/console/session/ConsoleAuth.js"

const request = (headers: Record<string, string>) => ({ headers }) as unknown as HttpServerRequest.HttpServerRequest

describe("the same-origin check of console actions", () => {
  it("accepts this host, the proxy's forwarded host, the public URL, or a browser that names none", () => {
    expect(sameOrigin(request({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000" }), undefined)).toBe(true)
    expect(
      sameOrigin(
        request({ host: "s2s:3000", "x-forwarded-host": "s2s.example.com", origin: "https://s2s.example.com" }),
        undefined
      )
    ).toBe(true)
    expect(
      sameOrigin(request({ host: "10.0.0.5:3000", origin: "https://s2s.example.com" }), "https://s2s.example.com")
    ).toBe(true)
    expect(sameOrigin(request({ host: "127.0.0.1:3000" }), undefined)).toBe(true)
  })

  it("refuses another site, another port, and an Origin that is not a URL", () => {
    expect(
      sameOrigin(request({ host: "127.0.0.1:3000", origin: "https://evil.example" }), "https://s2s.example.com")
    ).toBe(false)
    expect(sameOrigin(request({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:3001" }), undefined)).toBe(false)
    expect(sameOrigin(request({ host: "127.0.0.1:3000", origin: "null" }), undefined)).toBe(false)
  })
})
