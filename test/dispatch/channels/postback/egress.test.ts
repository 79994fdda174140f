import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { type AddressClass, classifyAddress, isRefused } from "../../../../src/dispatch/channels/postback/addresses.js"
import { checkDestination, pinnedAgent, type Resolve } from "../../../../src/dispatch/channels/postback/egress.js"

describe("classifying addresses", () => {
  const cases: ReadonlyArray<readonly [string, AddressClass | undefined]> = [
    ["8.8.8.8", "public"],
    ["169.254.169.254", "link-local"],
    ["169.254.0.1", "link-local"],
    ["100.100.100.200", "metadata"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["198.18.0.1", "reserved"],
    ["224.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["fd00:ec2::254", "metadata"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:a9fe:a9fe", "link-local"],
    ["[::ffff:7f00:1]", "loopback"],
    ["::ffff:8.8.8.8", "public"],
    ["64:ff9b::a9fe:a9fe", "link-local"],
    ["2002:a9fe:a9fe::1", "link-local"],
    ["2001:db8::1", "reserved"],
    ["ff02::1", "reserved"],
    ["2a00:1450:4001:80b::200e", "public"],
    ["localhost", undefined],
    ["example.com", undefined]
  ]
  it.each(cases)("%s is %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected)
  })

  it("refuses link-local and metadata always, the rest of the non-public space on request", () => {
    const all: ReadonlyArray<AddressClass> = [
      "public",
      "loopback",
      "private",
      "link-local",
      "metadata",
      "reserved",
      "unspecified"
    ]
    expect(all.filter((c) => isRefused(c, false))).toEqual(["link-local", "metadata"])
    expect(all.filter((c) => isRefused(c, true))).toEqual([
      "loopback",
      "private",
      "link-local",
      "metadata",
      "reserved",
      "unspecified"
    ])
  })
})

describe("checking a destination", () => {
  const dns =
    (answers: Record<string, ReadonlyArray<string>>): Resolve =>
    async (host) => {
      const found = answers[host]
      if (found === undefined) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" })
      return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }))
    }
  const resolve = dns({
    "evil.example": ["169.254.169.254"],
    "mixed.example": ["93.184.215.14", "fe80::1"],
    "internal.example": ["10.0.0.7"],
    "partner.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
  })
  const check = (url: string, blockPrivate = false) =>
    Effect.runPromise(checkDestination(new URL(url), blockPrivate, resolve))

  it("refuses a hostname that resolves to a link-local address, even among good ones", async () => {
    expect(await check("http://evil.example/p")).toEqual({
      _tag: "Refused",
      detail: "destination evil.example resolves to 169.254.169.254, a link-local address"
    })
    expect((await check("https://mixed.example/p"))._tag).toBe("Refused")
  })

  it("allows private addresses unless asked to block them", async () => {
    expect(await check("http://internal.example/p")).toEqual({
      _tag: "Allowed",
      addresses: [{ address: "10.0.0.7", family: 4 }]
    })
    expect((await check("http://internal.example/p", true))._tag).toBe("Refused")
    expect((await check("http://10.0.0.7/p", true))._tag).toBe("Refused")
    expect((await check("http://[::1]:8080/p", true))._tag).toBe("Refused")
  })

  it("passes every vetted address of a public host, and reports lookup failures as unresolved", async () => {
    expect(await check("https://partner.example/p", true)).toMatchObject({ _tag: "Allowed", addresses: { length: 2 } })
    expect(await check("https://nowhere.example/p")).toEqual({
      _tag: "Unresolved",
      detail: "cannot resolve nowhere.example: ENOTFOUND"
    })
  })

  it("refuses metadata hostnames without asking DNS, and normalises numeric hosts first", async () => {
    expect(await check("http://METADATA.google.internal./x")).toEqual({
      _tag: "Refused",
      detail: "destination metadata.google.internal is a cloud metadata service"
    })
    expect(await check("http://2852039166/")).toEqual({
      _tag: "Refused",
      detail: "destination 169.254.169.254 is a link-local address"
    })
    expect((await check("http://0x7f.1/", true))._tag).toBe("Refused")
  })

  it("pins the connection to the vetted addresses: the hostname is never looked up again", async () => {
    const server = createServer((req, res) => res.end(`host=${req.headers.host}`))
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
    const { port } = server.address() as AddressInfo
    try {
      const body = await Effect.runPromise(
        Effect.scoped(
          Effect.flatMap(pinnedAgent([{ address: "127.0.0.1", family: 4 }]), (agent) =>
            Effect.promise(async () => {
              // .invalid never resolves (RFC 2606): only the pinned address can make this work.
              const response = await fetch(`http://partner.invalid:${port}/p`, {
                dispatcher: agent as unknown as NonNullable<RequestInit["dispatcher"]>
              })
              return response.text()
            })
          )
        )
      )
      expect(body).toBe(`host=partner.invalid:${port}`)
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  })
})
