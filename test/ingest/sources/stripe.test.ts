import Stripe from "stripe"
import { describe, expect, it } from "vitest"
import { schemes, toleranceOf } from "../../../src/ingest/sources/index.js"
import { STRIPE_SIGNATURE_HEADER } from "../../../src/ingest/sources/stripe.js"
import { parseJson } from "../../../src/lib/json.js"
import { mutateByte, request } from "./request.js"

// The official library is the signer: if our reading of the header format drifts from Stripe's, these fail.
const webhooks = new Stripe("sk_test_x").webhooks
const stripe = schemes.stripe
const SECRET = "whsec_test_current"
const OLD_SECRET = "whsec_test_previous"
const NOW = new Date("2024-05-01T12:00:00Z")
const T = Math.floor(NOW.getTime() / 1000)
const TOLERANCE = toleranceOf(stripe, {})

const EVENT = JSON.stringify({
  id: "evt_1PBqU2Lkdv4xq9Gm0a7vE3Yt",
  object: "event",
  api_version: "2024-04-10",
  created: T - 2,
  livemode: false,
  type: "checkout.session.completed",
  data: { object: { id: "cs_test_a1", object: "checkout.session", amount_total: 4990, currency: "eur" } }
})

const sign = (opts: { payload?: string; secret?: string; timestamp?: number; scheme?: string } = {}) =>
  webhooks.generateTestHeaderString({
    payload: opts.payload ?? EVENT,
    secret: opts.secret ?? SECRET,
    timestamp: opts.timestamp ?? T,
    ...(opts.scheme !== undefined ? { scheme: opts.scheme } : {})
  })

const verify = (header: string | undefined, options: { body?: string | Uint8Array; now?: Date } = {}) =>
  stripe.verify(
    request({
      body: options.body ?? EVENT,
      headers: header === undefined ? {} : { [STRIPE_SIGNATURE_HEADER]: header },
      now: options.now ?? NOW
    }),
    [SECRET, OLD_SECRET],
    TOLERANCE
  )

describe("stripe signature", () => {
  it("accepts what the stripe package signs, as stripe's own constructEvent does", () => {
    const header = sign()
    expect(verify(header)).toEqual({ ok: true, secretIndex: 0 })
    expect(webhooks.constructEvent(EVENT, header, SECRET, 300, undefined, NOW.getTime()).id).toBe(
      "evt_1PBqU2Lkdv4xq9Gm0a7vE3Yt"
    )
  })

  it("rejects a body with one byte changed", () => {
    const tampered = mutateByte(Buffer.from(EVENT), EVENT.indexOf("4990"))
    expect(verify(sign(), { body: tampered })).toMatchObject({ ok: false, reason: "bad_signature" })
  })

  it("rejects a wrong secret and accepts the previous secret during a rotation", () => {
    expect(verify(sign({ secret: "whsec_someone_else" }))).toMatchObject({ ok: false, reason: "bad_signature" })
    expect(verify(sign({ secret: OLD_SECRET }))).toEqual({ ok: true, secretIndex: 1 })
  })

  it("accepts a header with several v1 signatures when any one matches", () => {
    const wrong = sign({ secret: "whsec_retired" }).split(",")[1]
    const right = sign().split(",")[1]
    expect(verify(`t=${T},${wrong},${right}`)).toEqual({ ok: true, secretIndex: 0 })
    expect(verify(`t=${T},${right},${wrong}`)).toEqual({ ok: true, secretIndex: 0 })
    expect(verify(`t=${T},${wrong},v1=zz`)).toMatchObject({ ok: false, reason: "bad_signature" })
  })

  it("ignores unknown schemes, even with a valid HMAC, and never treats them as unsigned", () => {
    const v0 = sign({ scheme: "v0" })
    expect(v0).toMatch(/^t=\d+,v0=[0-9a-f]{64}$/)
    expect(verify(v0)).toMatchObject({ ok: false, reason: "malformed_signature" })
    expect(verify(`${sign()},v0=deadbeef,v2=whatever`)).toEqual({ ok: true, secretIndex: 0 })
  })

  it("reports a missing header", () => {
    expect(verify(undefined)).toMatchObject({ ok: false, reason: "missing_signature" })
    expect(verify("")).toMatchObject({ ok: false, reason: "missing_signature" })
  })

  it.each([
    ["no timestamp", () => sign().replace(/^t=\d+,/, "")],
    ["two timestamps", () => `t=${T},${sign()}`],
    ["a timestamp that is not unix seconds", () => sign().replace(/^t=\d+/, "t=2024-05-01T12:00:00Z")],
    ["a negative timestamp", () => sign().replace(/^t=\d+/, `t=-${T}`)],
    ["no signature at all", () => `t=${T}`],
    ["garbage", () => "garbage"],
    ["a non-hex v1", () => `t=${T},v1=${"g".repeat(64)}`],
    ["an upper-case hex v1", () => sign().toUpperCase().replace("T=", "t=").replace("V1=", "v1=")],
    ["a v1 of HMAC-SHA1 length", () => `t=${T},v1=${"ab".repeat(20)}`],
    ["a base64 v1", () => `t=${T},v1=${Buffer.alloc(32, 1).toString("base64")}`],
    ["an empty v1", () => `t=${T},v1=`]
  ])("reports %s as malformed", (_, header) => {
    expect(verify(header())).toMatchObject({ ok: false, reason: "malformed_signature" })
  })

  it("accepts timestamps within 300 s either way and rejects older or newer ones as stale", () => {
    expect(verify(sign({ timestamp: T - 300 }))).toMatchObject({ ok: true })
    expect(verify(sign({ timestamp: T + 300 }))).toMatchObject({ ok: true })
    expect(verify(sign({ timestamp: T - 301 }))).toMatchObject({ ok: false, reason: "stale_timestamp" })
    expect(verify(sign({ timestamp: T + 301 }))).toMatchObject({ ok: false, reason: "stale_timestamp" })
    expect(verify(sign({ timestamp: T - 86_400 }))).toMatchObject({
      reason: "stale_timestamp",
      detail: "signed 86400 s ago, tolerance 300 s"
    })
  })

  it("reports a forged old request as forged, not as stale", () => {
    expect(verify(sign({ timestamp: T - 3600, secret: "whsec_forger" }))).toMatchObject({ reason: "bad_signature" })
  })

  it("never lets a broken tolerance disable the clock check", () => {
    const old = request({ body: EVENT, headers: { [STRIPE_SIGNATURE_HEADER]: sign({ timestamp: T - 60 }) }, now: NOW })
    for (const tolerance of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(stripe.verify(old, [SECRET], tolerance)).toMatchObject({ reason: "stale_timestamp" })
    }
    expect(stripe.verify(old, [SECRET], toleranceOf(stripe, { tolerance: "30s" }))).toMatchObject({
      reason: "stale_timestamp"
    })
    expect(stripe.verify(old, [SECRET], toleranceOf(stripe, { tolerance: "2m" }))).toMatchObject({ ok: true })
  })
})

describe("stripe describe", () => {
  const describeBody = (body: string) => {
    const parsed = parseJson(body)
    if (!parsed.ok) throw new Error(parsed.error)
    return stripe.describe(request({ body }), parsed.value)
  }

  it("dedups on the event id, with the event type as topic and test mode from livemode", () => {
    expect(describeBody(EVENT)).toEqual({
      ok: true,
      dedupKey: "evt_1PBqU2Lkdv4xq9Gm0a7vE3Yt",
      topic: "checkout.session.completed",
      testMode: true
    })
    expect(describeBody('{"id":"evt_live","type":"invoice.paid","livemode":true}')).toMatchObject({ testMode: false })
    expect(describeBody('{"id":"evt_x","type":"invoice.paid"}')).toMatchObject({ testMode: undefined })
  })

  it("refuses a payload that is not a Stripe event", () => {
    expect(describeBody('{"type":"invoice.paid"}')).toMatchObject({ ok: false })
    expect(describeBody('{"id":42.5}')).toMatchObject({ ok: false })
    expect(describeBody('["evt_1"]')).toMatchObject({ ok: false })
    expect(describeBody('"evt_1"')).toMatchObject({ ok: false })
  })

  it("keeps no Stripe header, the signature least of all", () => {
    expect(stripe.keptHeaders).toEqual([])
  })
})
