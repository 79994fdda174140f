// What an attacker (or a broken platform) sends: bodies, headers and request texts for the hostile
// input suite. Bodies are bytes; most are JSON-ish, since that is what reaches the parsers.
import * as fs from "node:fs"
import fc from "fast-check"

const fixture = (file: string) => fs.readFileSync(`test/fixtures/${file}`, "utf8")

/** Real payloads of every kind, to mutate: the shapes the parsers expect, with hostile values inside. */
export const FIXTURES = {
  shopify: fixture("shopify/orders-paid.json"),
  woocommerce: fixture("woocommerce/order-created-processing.json"),
  stripe: fixture("stripe/checkout-session-completed.json"),
  paddle: fixture("paddle/transaction-completed.json"),
  generic: fixture("generic/order-paid.json")
} as const

export type Kind = keyof typeof FIXTURES

const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    "",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "\uffff",
    "../../etc/passwd",
    "%00",
    "<script>alert(1)</script>",
    "'; drop table events; --",
    "1e999",
    "-0",
    "NaN",
    "9".repeat(400),
    "2026-13-45T99:99:99Z",
    "x".repeat(10_000)
  ),
  fc.constantFrom(
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    1e308,
    -1e308,
    5e-324,
    0,
    -1,
    0.1,
    true,
    null,
    [],
    {}
  ),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.integer(),
  fc.double()
)

/** Replaces some leaves of a parsed fixture (chosen by a seeded walk) with hostile values. */
const mutate = (json: unknown, picks: ReadonlyArray<number>, leaves: ReadonlyArray<unknown>): unknown => {
  let n = 0
  const walk = (value: unknown): unknown => {
    n++
    const i = picks.indexOf(n % 97)
    if (i >= 0 && i < leaves.length) return leaves[i]
    if (Array.isArray(value)) return value.map(walk)
    if (value !== null && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]))
    return value
  }
  return walk(json)
}

const mutatedFixture = (kind: Kind) =>
  fc
    .tuple(fc.array(fc.nat({ max: 96 }), { maxLength: 6 }), fc.array(hostileLeaf, { maxLength: 6 }))
    .map(([picks, leaves]) => JSON.stringify(mutate(JSON.parse(FIXTURES[kind]), picks, leaves)))

const PROTO_KEYS = ["__proto__", "constructor", "prototype"]

/** JSON with prototype keys where the parsers look for fields. */
const prototypeKeys = (kind: Kind) =>
  fc
    .tuple(fc.constantFrom(...PROTO_KEYS), fc.constantFrom('{"polluted": true}', '{"prototype": {"x": 1}}', "1", '"x"'))
    .map(([key, value]) => FIXTURES[kind].replace(/^\{/, `{"${key}": ${value}, "customer": {"${key}": ${value}}, `))

/** The same key twice: JSON.parse keeps the last, other parsers the first. */
const duplicateKeys = (kind: Kind) =>
  fc
    .constantFrom('"id": 1', '"id": "evt_dup"', '"email": "a@b.c"', '"currency": "EUR"', '"total_price": "-1"')
    .map((pair) => FIXTURES[kind].replace(/^\{/, `{${pair}, ${pair}, `))

const deepNesting = fc
  .tuple(fc.integer({ min: 10, max: 5_000 }), fc.constantFrom("[", '{"a":'))
  .map(([depth, open]) => `${open.repeat(depth)}1${(open === "[" ? "]" : "}").repeat(depth)}`)

const hugeNumbers = fc
  .constantFrom(
    "1e400",
    "-1e400",
    "123456789012345678901234567890",
    "0.0000000000000000000001e-400",
    "18446744073709551616"
  )
  .map(
    (n) => `{"id": ${n}, "total_price": ${n}, "amount": ${n}, "data": {"object": {"id": ${n}, "amount_total": ${n}}}}`
  )

/** A body for a source of `kind`: bytes. */
export const body = (kind: Kind): fc.Arbitrary<Buffer> =>
  fc.oneof(
    { weight: 4, arbitrary: mutatedFixture(kind).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: prototypeKeys(kind).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: duplicateKeys(kind).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: deepNesting.map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: hugeNumbers.map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)) },
    {
      weight: 1,
      // The fixture in another encoding (UTF-16 with a BOM, Latin-1): signed, but not UTF-8.
      arbitrary: fc
        .constantFrom<BufferEncoding>("utf16le", "latin1")
        .map((enc) =>
          Buffer.concat([
            enc === "utf16le" ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0),
            Buffer.from(`${FIXTURES[kind]}é`, enc)
          ])
        )
    }
  )

export const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "application/json; charset=utf-8",
      "application/json; charset=utf-16",
      "application/vnd.api+json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "APPLICATION/JSON",
      ""
    )
  }
)

/** Extra request headers: encodings the body does not have, odd idempotency keys, long values. */
export const extraHeaders = fc.dictionary(
  fc.constantFrom(
    "content-encoding",
    "idempotency-key",
    "x-forwarded-for",
    "x-shopify-topic",
    "x-wc-webhook-topic",
    "accept"
  ),
  fc.oneof(
    fc.constantFrom("gzip", "br", "deflate", "identity", "orders/paid", "order.updated", "999.999.999.999, ::1", ""),
    fc.string({ unit: fc.constantFrom("a", "Z", "0", "-", ".", ":", " ", "\t"), maxLength: 300 })
  ),
  { maxKeys: 3 }
)

/** Arbitrary text for path segments and query values (NUL excluded: the guard answers those first). */
export const pathText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom(
    "..",
    ".",
    "%",
    "%zz",
    "a/b",
    "shop-de:1001",
    "' or 1=1 --",
    "x".repeat(3_000),
    "__proto__",
    "constructor"
  )
)
