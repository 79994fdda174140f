// Signs webhook bodies the way each platform does (Stripe through its own library), for tests that
// post to the real endpoint.
import { createHmac } from "node:crypto"
import Stripe from "stripe"

const stripe = new Stripe("sk_test_placeholder")

export const shopifyHeaders = (body: string, secret: string, extra: Record<string, string> = {}) => ({
  "content-type": "application/json",
  "x-shopify-hmac-sha256": createHmac("sha256", secret).update(body).digest("base64"),
  "x-shopify-topic": "orders/paid",
  "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
  "x-shopify-shop-domain": "acme-de.myshopify.com",
  "x-shopify-api-version": "2025-07",
  ...extra
})

export const wooHeaders = (body: string, secret: string, topic = "order.updated") => ({
  "content-type": "application/json",
  "x-wc-webhook-signature": createHmac("sha256", secret).update(body).digest("base64"),
  "x-wc-webhook-topic": topic,
  "x-wc-webhook-resource": "order",
  "x-wc-webhook-event": topic.split(".")[1] ?? "updated",
  "x-wc-webhook-source": "https://shop.example.fr/",
  "x-wc-webhook-id": "12",
  "x-wc-webhook-delivery-id": Math.random().toString(16).slice(2)
})

export const stripeHeaders = (body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) => ({
  "content-type": "application/json; charset=utf-8",
  "stripe-signature": stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp })
})

export const paddleHeaders = (body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) => ({
  "content-type": "application/json",
  "paddle-signature": `ts=${timestamp};h1=${createHmac("sha256", secret).update(`${timestamp}:${body}`).digest("hex")}`
})

export const post = (url: string, body: string | Buffer, headers: Record<string, string>) =>
  fetch(url, { method: "POST", body, headers })
