// Shared by the orders and rules tests: Shopify orders made from the paid-order fixture, and tokens
// created through the Tokens service on the test database.
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import { Effect, Layer } from "effect"
import { Tokens, TokensLive } from "../../src/tokens/Tokens.js"
import { dbLayer } from "../support/db.js"
import { post, shopifyHeaders } from "../support/signers.js"

const fixture = JSON.parse(fs.readFileSync("test/fixtures/shopify/orders-paid.json", "utf8")) as Record<string, unknown>

/** The personal data in the fixture, as it was sent. */
export const RAW_PII = ["lena.mueller@example.de", "+49 151 23456789", "Hauptstraße 12", "203.0.113.42", "Müller"]

export interface OrderSpec {
  readonly id: number
  readonly createdAt: string
  readonly landing: string
  /** Without note attributes and referrer: nothing but the landing page tracks the order. */
  readonly bare?: boolean
}

export const shopifyOrder = (spec: OrderSpec) =>
  JSON.stringify({
    ...fixture,
    id: spec.id,
    admin_graphql_api_id: `gid://shopify/Order/${spec.id}`,
    name: `#${spec.id}`,
    created_at: spec.createdAt,
    processed_at: spec.createdAt,
    updated_at: spec.createdAt,
    landing_site: spec.landing,
    ...(spec.bare ? { note_attributes: [], referring_site: null } : {})
  })

export const deliver = async (baseUrl: string, source: string, secret: string, body: string, webhookId: string) => {
  const res = await post(
    `${baseUrl}/webhooks/${source}`,
    body,
    shopifyHeaders(body, secret, { "x-shopify-webhook-id": webhookId })
  )
  if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as { webhookId: string; duplicate: boolean }
}

export const createToken = (databaseUrl: string, scope: "audit" | "operate" | "admin" | "ingest", sourceId?: string) =>
  Effect.runPromise(
    Effect.flatMap(Tokens, (t) => t.create({ scope, sourceId, actor: "test" })).pipe(
      Effect.map((c) => c.token),
      Effect.provide(TokensLive.pipe(Layer.provide(dbLayer(databaseUrl))))
    )
  )

export const getJson = async <T = Record<string, unknown>>(url: string, token?: string) => {
  const res = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
  const text = await res.text()
  return { status: res.status, body: JSON.parse(text) as T }
}

/** Runs the CLI without blocking this process (the service under test runs in it). */
export const s2s = (args: ReadonlyArray<string>, databaseUrl: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      "node",
      ["bin/s2s.js", ...args],
      { env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "error" }, encoding: "utf8" },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })
    )
  })
