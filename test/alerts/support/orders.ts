// A paid German order with a real-looking customer (whose data must never reach a message) and the
// contract's partner rules plus two affiliate networks, for alert policy tables.

import type { CanonicalOrder, Tracking } from "../../../src/events/CanonicalOrder.js"
import type { PartnerRule } from "../../../src/events/configSchema.js"

export const NOW = new Date("2026-03-10T10:00:00Z")

export const CUSTOMER_EMAIL = "anna.mueller@example.de"

export const partners: ReadonlyArray<PartnerRule> = [
  { id: "awin", when: ["awc"] },
  { id: "impact", when: ["irclickid", "utm_source=impact*"] },
  { id: "google", when: ["gclid", "gbraid", "wbraid", "utm_source=google"] },
  { id: "meta", when: ["fbclid", "fbc", "utm_source=facebook", "utm_source=instagram"] }
]

export const noTracking: Tracking = { clickIds: {}, utm: {} }

export const makeOrder = (
  tracking: Partial<Tracking> = {},
  overrides: Partial<CanonicalOrder> = {}
): CanonicalOrder => ({
  orderKey: "shop-de:1001",
  sourceId: "shop-de",
  platform: "shopify",
  platformOrderId: "1001",
  orderNumber: "#1001",
  company: "acme",
  market: "DE",
  products: ["vitamins"],
  status: "paid",
  value: { amountMinor: 4990, currency: "EUR" },
  refundedMinor: 0,
  lineItems: [{ sku: "VIT-D3", quantity: 1, priceMinor: 4990, product: "vitamins" }],
  customer: {
    email: CUSTOMER_EMAIL,
    phone: "+49 151 23456789",
    firstName: "Anna",
    lastName: "Müller",
    city: "Frankfurt am Main",
    zip: "60311",
    country: "DE"
  },
  placedAt: "2026-03-10T09:00:00Z",
  paidAt: "2026-03-10T09:05:00Z",
  clientIp: "203.0.113.7",
  consent: { adUserData: "granted", adPersonalization: "granted" },
  tracking: { ...noTracking, ...tracking },
  tags: [],
  test: false,
  ...overrides
})
