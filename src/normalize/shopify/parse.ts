// Shopify webhooks, by X-Shopify-Topic: order topics carry the whole order (a snapshot), refunds/create
// one refund of an order, orders/delete only the id. Everything else (customers/*, products/*, ...) is
// skipped. Without a topic header the body's shape decides.
import { Either } from "effect"
import type { Draft } from "../outcome.js"
import { type Parser, skip } from "../parser.js"
import { decodeAt, required } from "../payload.js"
import { parseOrder, refundFact } from "./order.js"
import { Deleted, Order, Refund } from "./schema.js"

const ORDER_TOPICS = new Set([
  "orders/create",
  "orders/updated",
  "orders/paid",
  "orders/cancelled",
  "orders/fulfilled",
  "orders/partially_fulfilled"
])

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

const topicOf = (topic: string | undefined, body: unknown): string | undefined => {
  if (topic !== undefined || !isRecord(body)) return topic
  if ("order_id" in body && "transactions" in body) return "refunds/create"
  if ("line_items" in body && "total_price" in body) return "orders/updated"
  return undefined
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i

export const parseShopify: Parser = ({ topic, body, headers }) => {
  const kind = topicOf(topic, body)
  const domain = Object.entries(headers).find(([k]) => k.toLowerCase() === "x-shopify-shop-domain")?.[1]
  const shopDomain = domain !== undefined && SHOP_DOMAIN.test(domain) ? domain : undefined
  if (kind !== undefined && ORDER_TOPICS.has(kind))
    return Either.flatMap(decodeAt(Order)(body), (order) => parseOrder(order, shopDomain))
  if (kind === "refunds/create") {
    return Either.gen(function* () {
      const refund = yield* decodeAt(Refund)(body)
      const orderId = yield* required(refund.order_id ?? undefined, "order_id")
      const fact = yield* refundFact(refund, "", undefined)
      return { _tag: "Draft", orderId, refunds: fact ? [fact] : [], fullyRefunded: false } satisfies Draft
    })
  }
  if (kind === "orders/delete") {
    return Either.map(
      decodeAt(Deleted)(body),
      ({ id }): Draft => ({
        _tag: "Draft",
        orderId: id,
        refunds: [],
        fullyRefunded: false,
        cancellation: { reason: "deleted" }
      })
    )
  }
  return skip(
    kind === undefined ? "no X-Shopify-Topic and not an order or refund" : `topic ${kind} says nothing about an order`
  )
}
