// The demo's webhooks: realistic Shopify and WooCommerce payloads (examples/webhooks/) varied into a
// mix that shows every path within a minute: conversions to Meta, Google and an affiliate, a test order
// that is ignored, a partner that fails once (a retry), a partner that always fails (a dead letter), an
// order whose utm_source says google without a gclid (a tracking alert), and a redelivery.
import { createHmac } from "node:crypto"
import * as fs from "node:fs"
import { fromRoot } from "../lib/paths.js"
import { DEMO_SECRETS } from "./demoMode.js"

export interface DemoWebhook {
  readonly label: string
  readonly sourceId: string
  readonly orderKey: string
  readonly headers: Record<string, string>
  readonly body: string
  /** What a newcomer should see for it. */
  readonly expect: string
}

const template = (name: string) =>
  JSON.parse(fs.readFileSync(fromRoot("examples", "webhooks", name), "utf8")) as Record<string, unknown>

const hmac = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("base64")

// Seven hours ago: Google accepts click conversions only 6 h after the click, Meta within 7 days.
const placedAt = (now: Date, minutes = 0) => new Date(now.getTime() - 7 * 3_600_000 + minutes * 60_000).toISOString()

const shopify = (
  now: Date,
  id: number,
  options: { landing: string; tags?: string; email?: string; label: string; expect: string; webhookId?: string }
): DemoWebhook => {
  const base = template("shopify-orders-paid.json")
  const at = placedAt(now, id % 60)
  const body = JSON.stringify({
    ...base,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#D${id}`,
    order_number: id,
    created_at: at,
    processed_at: at,
    updated_at: at,
    landing_site: options.landing,
    note_attributes: [],
    tags: options.tags ?? "",
    ...(options.email ? { email: options.email, contact_email: options.email } : {})
  })
  return {
    label: options.label,
    sourceId: "shop-de",
    orderKey: `shop-de:${id}`,
    body,
    expect: options.expect,
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": "orders/paid",
      "x-shopify-shop-domain": "acme-de.myshopify.com",
      "x-shopify-api-version": "2025-07",
      "x-shopify-webhook-id": options.webhookId ?? `demo-${id}-${now.getTime()}`,
      "x-shopify-hmac-sha256": hmac(DEMO_SECRETS.S2S_DEMO_SHOPIFY_SECRET!, body)
    }
  }
}

const woocommerce = (now: Date, id: number, label: string, expect: string): DemoWebhook => {
  const base = template("woocommerce-order-processing.json")
  const at = placedAt(now, 5).replace(/\.\d+Z$/, "")
  const body = JSON.stringify({
    ...base,
    id,
    number: String(id),
    date_created_gmt: at,
    date_modified_gmt: at,
    date_paid_gmt: at,
    meta_data: [
      { id: 1, key: "_wc_order_attribution_source_type", value: "utm" },
      { id: 2, key: "_wc_order_attribution_utm_source", value: "tradedoubler" },
      { id: 3, key: "_wc_order_attribution_utm_campaign", value: "td-cashback-fr" },
      {
        id: 4,
        key: "_wc_order_attribution_session_entry",
        value: "https://shop.example.fr/produits/omega-3?utm_source=tradedoubler&clickid=TD-8812345"
      }
    ]
  })
  return {
    label,
    sourceId: "woo-fr",
    orderKey: `woo-fr:${id}`,
    body,
    expect,
    headers: {
      "content-type": "application/json",
      "x-wc-webhook-topic": "order.created",
      "x-wc-webhook-resource": "order",
      "x-wc-webhook-event": "created",
      "x-wc-webhook-source": "https://shop.example.fr/",
      "x-wc-webhook-id": "12",
      "x-wc-webhook-delivery-id": `${now.getTime()}`,
      "x-wc-webhook-signature": hmac(DEMO_SECRETS.S2S_DEMO_WOOCOMMERCE_SECRET!, body)
    }
  }
}

// Order ids are a function of the run number (1 for a database's first demo, 2 for the next, ...), so
// the README's commands work as printed for the first run and later runs never collide with earlier
// ones. Webhook ids carry the time, so a rerun with the same run number is new deliveries, not duplicates.
const demoOrderId = (run: number, n: number) => 7_384_340 + (run - 1) * 10 + n

/** The first order key of a run: its presence in the database says the run happened. */
export const demoRunMarker = (run: number) => `shop-de:${demoOrderId(run, 1)}`

export const demoWebhooks = (now: Date, run = 1): ReadonlyArray<DemoWebhook> => {
  const id = (n: number) => demoOrderId(run, n)
  const google = shopify(now, id(1), {
    landing:
      "/products/vitamin-d3?gclid=Cj0KCQiA7Zz9BhCEARIsAJ8demo&utm_source=google&utm_medium=cpc&utm_campaign=de_brand",
    label: "Google Ads click",
    expect: "delivered to google-acme and meta-acme"
  })
  return [
    google,
    shopify(now, id(2), {
      landing: "/products/omega-3?awc=1001_1732871512_demo&utm_source=awin&utm_medium=affiliate",
      label: "Awin affiliate click",
      expect: "delivered to awin (postback) and meta-acme"
    }),
    shopify(now, id(3), {
      landing: "/?fbclid=IwAR0demoFbclid&utm_source=facebook&utm_campaign=retargeting",
      tags: "test",
      email: "qa@acme.test",
      label: "test order",
      expect: "ignored: test order"
    }),
    woocommerce(now, id(4), "Tradedoubler click (partner fails once)", "retried once, then delivered to tradedoubler"),
    shopify(now, id(5), {
      landing: "/products/vitamin-c?utm_source=belboon&utm_medium=affiliate&clickid=BB-55123",
      label: "belboon click (partner always fails)",
      expect: "dead-lettered at belboon after 2 attempts (and a Slack alert)"
    }),
    shopify(now, id(6), {
      landing: "/landing/black-friday?utm_source=google&utm_medium=cpc&utm_campaign=black_friday_2026",
      label: "google utm without gclid",
      expect: "a tracking alert: utm_source=google but no gclid"
    }),
    { ...google, label: "redelivery of the first webhook", expect: "recorded as a duplicate, nothing sent twice" }
  ]
}
