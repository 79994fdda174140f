// Canonical orders for channel tests: one realistic customer per market, plus a builder for variants.
import type { CanonicalOrder, Customer } from "../../../../src/events/CanonicalOrder.js"

export const customers = {
  DE: {
    email: "  Anna.Mueller@Example.DE ",
    phone: "0151 23456789",
    firstName: "Anna",
    lastName: "Müller",
    city: "Frankfurt am Main",
    zip: "60311",
    region: "HE",
    country: "DE",
    externalId: "cust-1001"
  },
  FR: {
    email: "jean-luc.picard@orange.fr",
    phone: "06 12 34 56 78",
    firstName: "Jean-Luc",
    lastName: "Picard",
    city: "Paris",
    zip: "75018",
    country: "FR"
  },
  GB: {
    email: "Oliver.Smith@GoogleMail.com",
    phone: "07911 123456",
    firstName: "Oliver",
    lastName: "O'Brien",
    city: "Manchester",
    zip: "M1 1AE",
    country: "GB"
  },
  US: {
    email: "John_Smith@gmail.com",
    phone: "(650)555-1212",
    firstName: "Mary",
    lastName: "Smith",
    city: "New York",
    zip: "10001-1234",
    region: "New York",
    country: "US"
  },
  CA: {
    email: "emily.tremblay+shop@gmail.com",
    phone: "(416) 555-0199",
    firstName: "Émilie",
    lastName: "Tremblay",
    city: "Montréal",
    zip: "H2X 1Y4",
    region: "Québec",
    country: "CA"
  },
  SE: {
    email: "lars.nilsson@telia.se",
    phone: "070-123 45 67",
    firstName: "Lars",
    lastName: "Nilsson",
    city: "Göteborg",
    zip: "411 01",
    country: "SE"
  }
} satisfies Record<string, Customer>

export type Market = keyof typeof customers

export const currencies: Record<Market, string> = { DE: "EUR", FR: "EUR", GB: "GBP", US: "USD", CA: "CAD", SE: "SEK" }

export const PLACED_AT = "2026-03-10T09:00:00Z"
export const PAID_AT = "2026-03-10T09:05:30Z"
/** A day after the order: past Google's 6 hours, inside Meta's 7 days. */
export const NOW = new Date("2026-03-11T09:00:00Z")

export const makeOrder = (market: Market = "DE", overrides: Partial<CanonicalOrder> = {}): CanonicalOrder => ({
  orderKey: `shop-${market.toLowerCase()}:1001`,
  sourceId: `shop-${market.toLowerCase()}`,
  platform: "shopify",
  platformOrderId: "1001",
  orderNumber: "#1001",
  company: "acme",
  market,
  products: ["vitamins"],
  partner: "google",
  status: "paid",
  value: { amountMinor: 4990, currency: currencies[market] },
  refundedMinor: 0,
  lineItems: [
    { productId: "p1", sku: "VIT-D3", name: "Vitamin D3", quantity: 2, priceMinor: 1995, product: "vitamins" },
    { productId: "p2", sku: "VIT-C", name: "Vitamin C", quantity: 1, priceMinor: 1000, product: "vitamins" }
  ],
  customer: customers[market],
  placedAt: PLACED_AT,
  paidAt: PAID_AT,
  clientIp: "203.0.113.7",
  userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
  consent: { adUserData: "granted", adPersonalization: "granted" },
  tracking: {
    gclid: "Cj0KCQjw_example-GCLID_BwE",
    fbclid: "IwAR2xYzAbCdEf-MixedCase_123",
    fbclidCapturedAt: "2026-03-10T08:41:12.345Z",
    clickIds: {},
    utm: { source: "google", medium: "cpc" },
    landingUrl: "https://shop.example/products/vitamin-d3?gclid=Cj0KCQjw_example-GCLID_BwE"
  },
  tags: [],
  test: false,
  ...overrides
})
