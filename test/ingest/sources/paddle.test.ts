import { describe, expect, it } from "vitest"
import { schemes, toleranceOf } from "../../../src/ingest/sources/index.js"
import { PADDLE_DEFAULT_TOLERANCE_MS, PADDLE_SIGNATURE_HEADER } from "../../../src/ingest/sources/paddle.js"
import { parseJson } from "../../../src/lib/json.js"
import { hmac, mutateByte, request } from "./request.js"

const paddle = schemes.paddle

// Vectors from Paddle's own SDK tests (PaddleHQ/paddle-node-sdk, webhooks-validator.test.ts): secret
// VALID_SECRET, signed at 2023-11-01T00:00:00Z.
const SDK = {
  secret: "VALID_SECRET",
  body: '{"data": ["1", "2"]}',
  header: "ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9",
  multiBody: '{"data": "value"}',
  multiHeader:
    "ts=1698796800;h1=28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261;h1=28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261;h2=RANDOM_HASH",
  signedAt: new Date("2023-11-01T00:00:00Z")
}
const at = (seconds: number) => new Date(SDK.signedAt.getTime() + seconds * 1000)
const SDK_TOLERANCE_MS = 5_000

const verify = (
  header: string | undefined,
  options: { body?: string | Uint8Array; now?: Date; secrets?: ReadonlyArray<string>; tolerance?: number } = {}
) =>
  paddle.verify(
    request({
      body: options.body ?? SDK.body,
      headers: header === undefined ? {} : { [PADDLE_SIGNATURE_HEADER]: header },
      now: options.now ?? at(1)
    }),
    options.secrets ?? [SDK.secret],
    options.tolerance ?? toleranceOf(paddle, {})
  )

const signed = (body: string, secret: string, ts: number) =>
  `ts=${ts};h1=${hmac(secret, `${ts}:`, body).toString("hex")}`

describe("paddle signature", () => {
  it("accepts Paddle's SDK vectors, including several h1 next to an unknown h2", () => {
    expect(verify(SDK.header)).toEqual({ ok: true, secretIndex: 0 })
    expect(verify(SDK.multiHeader, { body: SDK.multiBody })).toEqual({ ok: true, secretIndex: 0 })
  })

  it("rejects the SDK's negative vectors", () => {
    expect(verify(SDK.header, { secrets: ["INVALID_VALID_SECRET"] })).toMatchObject({ reason: "bad_signature" })
    expect(verify(SDK.header, { body: '{ "data": [ "1", "2" ]}' })).toMatchObject({ reason: "bad_signature" })
    // The timestamp is part of the signed text: changing it breaks the signature before any clock check.
    expect(verify(SDK.header.replace("1698796800", "9876"))).toMatchObject({ reason: "bad_signature" })
    expect(verify("ts=1234;h1=invalid_signature")).toMatchObject({ reason: "malformed_signature" })
  })

  it.each([
    ["missing ts and h1", "invalid_header"],
    ["missing ts", "h1=invalid_header"],
    ["missing h1", "ts=1234;h2=invalid_header"],
    ["an h1 of the wrong length", "ts=1698796800;h1=a300428748dce5c70e4da19bffd60769"],
    ["Stripe's separator", SDK.header.replace(";", ",")]
  ])("reports %s as malformed", (_, header) => {
    expect(verify(header)).toMatchObject({ ok: false, reason: "malformed_signature" })
  })

  it("reports a missing header", () => {
    expect(verify(undefined)).toMatchObject({ ok: false, reason: "missing_signature" })
  })

  it("rejects a body with one byte changed", () => {
    expect(verify(SDK.header, { body: mutateByte(Buffer.from(SDK.body), 3) })).toMatchObject({
      reason: "bad_signature"
    })
  })

  it("accepts a previous secret and several h1 during a rotation", () => {
    const ts = 1698796800
    expect(verify(signed(SDK.body, "pdl_old", ts), { secrets: ["pdl_new", "pdl_old"] })).toEqual({
      ok: true,
      secretIndex: 1
    })
    const both = `${signed(SDK.body, "pdl_old", ts)};h1=${hmac("pdl_new", `${ts}:`, SDK.body).toString("hex")}`
    expect(verify(both, { secrets: ["pdl_new"] })).toEqual({ ok: true, secretIndex: 0 })
  })

  it("with the SDK's 5 s tolerance behaves like the SDK", () => {
    expect(verify(SDK.header, { now: at(5), tolerance: SDK_TOLERANCE_MS })).toMatchObject({ ok: true })
    expect(verify(SDK.header, { now: at(6), tolerance: SDK_TOLERANCE_MS })).toMatchObject({
      reason: "stale_timestamp"
    })
  })

  it("defaults to 300 s either way and honours the source's tolerance", () => {
    expect(PADDLE_DEFAULT_TOLERANCE_MS).toBe(300_000)
    expect(verify(SDK.header, { now: at(6) })).toMatchObject({ ok: true })
    expect(verify(SDK.header, { now: at(300) })).toMatchObject({ ok: true })
    expect(verify(SDK.header, { now: at(301) })).toMatchObject({ reason: "stale_timestamp" })
    expect(verify(SDK.header, { now: at(-301) })).toMatchObject({ reason: "stale_timestamp" })
    expect(verify(SDK.header, { now: at(4 * 86_400) })).toMatchObject({ reason: "stale_timestamp" })
    const oneHour = toleranceOf(paddle, { tolerance: "1h" })
    expect(verify(SDK.header, { now: at(3000), tolerance: oneHour })).toMatchObject({ ok: true })
  })
})

describe("paddle describe", () => {
  const describeBody = (body: string) => {
    const parsed = parseJson(body)
    if (!parsed.ok) throw new Error(parsed.error)
    return paddle.describe(request({ body }), parsed.value)
  }

  it("dedups on event_id with event_type as topic", () => {
    const body = JSON.stringify({
      event_id: "evt_01hv8x2acma2gz3tt2wtq4bqp1",
      event_type: "transaction.completed",
      occurred_at: "2024-04-12T10:18:49.621022Z",
      notification_id: "ntf_01hv8x2af7ac7cztk5tzsd2mbq",
      data: { id: "txn_01hv8wptq8987qeep44cyrewp9", status: "completed" }
    })
    expect(describeBody(body)).toEqual({
      ok: true,
      dedupKey: "evt_01hv8x2acma2gz3tt2wtq4bqp1",
      topic: "transaction.completed",
      testMode: undefined
    })
  })

  it("refuses a payload without an event id", () => {
    expect(describeBody('{"event_type":"transaction.completed"}')).toMatchObject({ ok: false })
    expect(describeBody(SDK.body)).toMatchObject({ ok: false })
  })
})
