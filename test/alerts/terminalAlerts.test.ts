// The alerts of the terminal states that had none: a held dispatch (names the order, the target, the
// command and the API call that resolve it), a webhook no parser could read and a signed body refused
// with 400 (grouped per source and reason: a whole source failing is one message and one digest with
// sample webhook ids, not 500 messages).
import { describe, expect, it } from "vitest"
import { alertForDispatchEvent } from "../../src/alerts/dispatchPolicy.js"
import { decide, due, emptyGrouping, type GroupingState } from "../../src/alerts/grouping.js"
import { messageFor } from "../../src/alerts/index.js"
import { repeatDigestMessage } from "../../src/alerts/repeatMessage.js"
import { alertForWebhookEvent } from "../../src/alerts/webhookPolicy.js"
import type { AppEvent } from "../../src/events/Events.js"
import { makeOrder } from "./support/orders.js"

const HOUR = 3_600_000
const T0 = new Date("2026-03-10T10:00:00Z")
const companyOf = (id: string) => (id === "shop-de" ? "acme" : undefined)
const text = (message: ReturnType<typeof messageFor>) => JSON.stringify(message.blocks)

const failed = (n: number, reason = "line_items[0].price: not a decimal amount"): AppEvent => ({
  _tag: "NormalizationFailed",
  webhookId: `wh-${n}`,
  sourceId: "shop-de",
  reason,
  path: "line_items[0].price",
  parserVersion: 1
})

describe("dispatch_held", () => {
  const held = {
    _tag: "DispatchHeld",
    orderKey: "shop-de:1001",
    targetId: "awin",
    kind: "conversion",
    attempt: 2,
    channel: "postback",
    cause: "outcome_lost",
    detail: "attempt 2 was being sent when its worker stopped"
  } as const

  it("names the order, the target, the one command and the API call", () => {
    const alert = alertForDispatchEvent(held, makeOrder({ clickIds: { awc: "1_2_x" } }, { partner: "awin" }))!
    expect(alert).toMatchObject({
      alertId: "dispatch_held:shop-de:1001:awin:conversion:2",
      problem: "dispatch_held",
      orderKey: "shop-de:1001",
      targetId: "awin",
      groupKey: "acme|awin|*|dispatch_held|awin:outcome_lost"
    })
    expect(alert.details.command).toBe("s2s redispatch --order shop-de:1001 --target awin --yes")
    expect(alert.details.apiCall).toBe(
      'POST /api/v1/redispatch {"orderKeys":["shop-de:1001"],"target":"awin","dryRun":false}'
    )
    const message = text(messageFor(alert))
    expect(message).toContain("`s2s redispatch --order shop-de:1001 --target awin --yes`")
    expect(message).toContain("Conversion held: awin")
    expect(message).toContain("s2s orders log shop-de:1001")
    // No personal data of the order reaches Slack.
    expect(message).not.toContain("anna.mueller")
  })
})

describe("normalization_failed", () => {
  it("groups per source and reason, with the webhook id and the commands to list and re-run", () => {
    const alert = alertForWebhookEvent(failed(1) as never, companyOf)
    expect(alert).toMatchObject({
      problem: "normalization_failed",
      webhookId: "wh-1",
      sourceId: "shop-de",
      company: "acme",
      groupKey: "acme|*|*|normalization_failed|shop-de:invalid_field"
    })
    expect(alert.details).toMatchObject({
      reason: "invalid_field",
      command: "s2s renormalize --source shop-de --yes",
      list: "s2s webhooks list --state normalization_failed --source shop-de",
      apiCall: 'POST /api/v1/renormalize {"sourceId":"shop-de","dryRun":false}'
    })
    const missing = alertForWebhookEvent(failed(2, "order_id: is missing") as never, companyOf)
    expect(missing.groupKey).toBe("acme|*|*|normalization_failed|shop-de:missing_field")
    const json = alertForWebhookEvent(failed(3, "body is not valid JSON: Unexpected token") as never, companyOf)
    expect(json.groupKey).toBe("acme|*|*|normalization_failed|shop-de:invalid_json")
    const message = text(messageFor(alert))
    expect(message).toContain("`wh-1`")
    expect(message).toContain("`s2s renormalize --source shop-de --yes`")
  })

  it("a whole source failing is one message, then one digest naming sample webhooks and the commands", () => {
    let state: GroupingState = emptyGrouping
    const actions: Array<string> = []
    for (let n = 1; n <= 500; n++) {
      const d = decide(state, alertForWebhookEvent(failed(n) as never, companyOf), new Date(T0.getTime() + n), HOUR)
      state = d.state
      actions.push(d.action)
    }
    expect(actions.filter((a) => a === "post")).toHaveLength(1)
    expect(actions.filter((a) => a === "count")).toHaveLength(499)
    const { digests } = due(state, new Date(T0.getTime() + HOUR + 1_000), HOUR)
    expect(digests).toHaveLength(1)
    expect(digests[0]).toMatchObject({
      count: 499,
      sourceId: "shop-de",
      sampleWebhookIds: ["wh-2", "wh-3", "wh-4", "wh-5", "wh-6"]
    })
    const message = JSON.stringify(repeatDigestMessage(digests[0]!, {}))
    expect(message).toContain("499 more webhooks")
    expect(message).toContain("`wh-2`")
    expect(message).toContain("s2s webhooks list --state normalization_failed --source shop-de")
  })
})

describe("webhook_rejected", () => {
  it("groups per source and reason and names the webhook", () => {
    const rejected = {
      _tag: "WebhookRejected",
      webhookId: "9d4f",
      sourceId: "shop-de",
      kind: "shopify",
      dedupKey: "9d4f",
      headers: {},
      receivedAt: T0.toISOString(),
      body: { encoding: "base64", text: "/w==", sha256: "x", bytes: 1 },
      reason: "Unexpected token"
    } as const
    const alert = alertForWebhookEvent(rejected, companyOf)
    expect(alert).toMatchObject({
      alertId: "webhook_rejected:9d4f",
      problem: "webhook_rejected",
      groupKey: "acme|*|*|webhook_rejected|shop-de:not_utf8"
    })
    expect(text(messageFor(alert))).toContain("s2s webhooks list --state rejected --source shop-de")
  })
})
