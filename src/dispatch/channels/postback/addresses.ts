// What kind of address an IP is, for the egress guard. Parses the textual forms that reach us after
// WHATWG URL normalisation (which already turned 0x7f.1 and 2130706433 into 127.0.0.1) and from DNS
// answers. IPv6 forms that embed an IPv4 address (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4
// 2002::/16) are judged by the IPv4 address inside: ::ffff:169.254.169.254 is the metadata service.
import { isIPv4, isIPv6 } from "node:net"

export type AddressClass = "public" | "loopback" | "private" | "link-local" | "metadata" | "reserved" | "unspecified"

const v4 = (text: string): number => text.split(".").reduce((n, part) => n * 256 + Number(part), 0)

const V4_RANGES: ReadonlyArray<readonly [string, number, AddressClass]> = [
  // Cloud metadata services outside 169.254/16: Alibaba, Azure's wire server.
  ["100.100.100.200", 32, "metadata"],
  ["168.63.129.16", 32, "metadata"],
  ["169.254.0.0", 16, "link-local"],
  ["0.0.0.0", 8, "unspecified"],
  ["127.0.0.0", 8, "loopback"],
  ["10.0.0.0", 8, "private"],
  ["172.16.0.0", 12, "private"],
  ["192.168.0.0", 16, "private"],
  ["100.64.0.0", 10, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "reserved"],
  ["198.18.0.0", 15, "reserved"],
  ["198.51.100.0", 24, "reserved"],
  ["203.0.113.0", 24, "reserved"],
  ["224.0.0.0", 4, "reserved"],
  ["240.0.0.0", 4, "reserved"]
]

const inRange = (address: number, base: string, bits: number) => {
  const size = 2 ** (32 - bits)
  return Math.floor(address / size) === Math.floor(v4(base) / size)
}

const classifyV4 = (address: number): AddressClass =>
  V4_RANGES.find(([base, bits]) => inRange(address, base, bits))?.[2] ?? "public"

/** Eight 16-bit groups of an IPv6 address (zone id dropped, embedded dotted IPv4 expanded). */
const groupsV6 = (text: string): ReadonlyArray<number> => {
  let body = text.replace(/%.*$/, "").toLowerCase()
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(body)
  if (dotted?.[1]) {
    const n = v4(dotted[1])
    body = `${body.slice(0, dotted.index)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`
  }
  const [head = "", tail] = body.split("::")
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)))
  const front = parse(head)
  const back = tail === undefined ? [] : parse(tail)
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back]
}

const embeddedV4 = (g: ReadonlyArray<number>, at: number) => (g[at] ?? 0) * 65536 + (g[at + 1] ?? 0)

const classifyV6 = (g: ReadonlyArray<number>): AddressClass => {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g
  const zeros = (...xs: Array<number>) => xs.every((x) => x === 0)
  if (zeros(g0, g1, g2, g3, g4, g5, g6, g7)) return "unspecified"
  if (zeros(g0, g1, g2, g3, g4, g5, g6) && g7 === 1) return "loopback"
  if (zeros(g0, g1, g2, g3, g4) && g5 === 0xffff) return classifyV4(embeddedV4(g, 6))
  if (g0 === 0x64 && g1 === 0xff9b && zeros(g2, g3, g4, g5)) return classifyV4(embeddedV4(g, 6))
  if (g0 === 0x2002) return classifyV4(embeddedV4(g, 1))
  if (zeros(g0, g1, g2, g3, g4, g5)) return "reserved"
  // AWS's IPv6 instance metadata endpoint (inside the private fc00::/7 range, always refused).
  if (g0 === 0xfd00 && g1 === 0xec2 && zeros(g2, g3, g4, g5, g6) && g7 === 0x254) return "metadata"
  if ((g0 & 0xffc0) === 0xfe80) return "link-local"
  if ((g0 & 0xfe00) === 0xfc00 || (g0 & 0xffc0) === 0xfec0) return "private"
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return "private"
  if ((g0 & 0xff00) === 0xff00) return "reserved"
  if (g0 === 0x2001 && g1 === 0xdb8) return "reserved"
  if (g0 === 0x100 && zeros(g1, g2, g3)) return "reserved"
  return "public"
}

/** The class of an IP literal (brackets allowed), or undefined when the text is not an IP address. */
export const classifyAddress = (text: string): AddressClass | undefined => {
  const ip = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text
  if (isIPv4(ip)) return classifyV4(v4(ip))
  if (isIPv6(ip)) return classifyV6(groupsV6(ip))
  return undefined
}

/** Link-local and metadata are refused always; the rest of the non-public space on request. */
export const isRefused = (cls: AddressClass, blockPrivate: boolean): boolean =>
  cls === "link-local" || cls === "metadata" || (blockPrivate && cls !== "public")
