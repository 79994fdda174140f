// Landing URLs: every candidate URL's query is read (a plugin's landing_page cannot hide the gclid in
// WooCommerce's session entry), and a landing path is made absolute against the shop's origin, so
// Meta gets a valid event_source_url.
import { describe, expect, it } from "vitest"
import { normalizeWebhook } from "../../src/normalize/normalize.js"
import { absoluteUrl, extractTracking, originOf } from "../../src/normalize/tracking.js"
import { context, fixtureJson, normalizeFixture, observed, SOURCES, source, webhook } from "./support.js"

const GCLID_1042 = "Cj0KCQiAgJa6BhCOARIsAMiL7V8xQf2Zk9pTqLr3vN1eWmYbHcDsUoJ4aE5tGiK0wX7yR6uP2nMaAk0BEALw_wcB"

describe("absoluteUrl", () => {
  it.each<[string | undefined, string | undefined, string | undefined]>([
    [
      "/products/x?gclid=G&utm_source=google",
      "https://www.acme.de",
      "https://www.acme.de/products/x?gclid=G&utm_source=google"
    ],
    ["/products/x?gclid=G", "https://www.acme.de/", "https://www.acme.de/products/x?gclid=G"],
    ["?gclid=G", "https://www.acme.de", "https://www.acme.de/?gclid=G"],
    ["//cdn.acme.de/x?y=1", "https://www.acme.de", "https://cdn.acme.de/x?y=1"],
    ["https://other.example/a?b=c", "https://www.acme.de", "https://other.example/a?b=c"],
    ["/a%20b?q=%C3%A9", "http://shop.test", "http://shop.test/a%20b?q=%C3%A9"],
    ["/products/x", undefined, "/products/x"],
    [undefined, "https://www.acme.de", undefined]
  ])("%s against %s -> %s", (url, origin, expected) => {
    expect(absoluteUrl(url, origin)).toBe(expected)
  })

  it("takes the origin of an absolute URL only", () => {
    expect(originOf("https://www.acme-vitamins.com/58963574975/orders/8d5d/authenticate?key=0b3f")).toBe(
      "https://www.acme-vitamins.com"
    )
    expect(originOf("/orders/1")).toBeUndefined()
  })
})

describe("every landing URL's query is read, first value per key wins", () => {
  it("reads the session entry behind a plugin's landing_page without click ids", () => {
    const { tracking } = extractTracking({
      attributes: [
        ["landing_page", "https://shop.example/p/?utm_source=newsletter"],
        ["_wc_order_attribution_session_entry", "https://shop.example/p/?gclid=G&utm_source=google&utm_term=t"]
      ],
      landingUrl: "/?fbclid=F&gclid=LAST"
    })
    expect(tracking).toMatchObject({
      gclid: "G",
      fbclid: "F",
      landingUrl: "https://shop.example/p/?utm_source=newsletter",
      utm: { source: "newsletter", term: "t" }
    })
  })

  it("WooCommerce: landing_page meta first, the gclid, utm_term and cjevent from _wc_order_attribution_session_entry", () => {
    const order = observed(
      normalizeFixture("woocommerce/order-created-landing-page.json", SOURCES.wooPl, "order.created")
    ).snapshot!
    expect(order.tracking).toMatchObject({
      gclid: "EAIaIQobChMI9uMr4Zn7iQMVx6aDBx1sQj4LEAAYASAAEgLy9fD_BwE",
      landingUrl: "https://acme-sklep.pl/produkt/witamina-d3/",
      clickIds: { cjevent: "7f3a9c2e4b5d11ef81e200a10a18ba7d" },
      utm: { source: "google", medium: "cpc", campaign: "pl_search_witaminy", term: "witamina d3 2000" }
    })
    expect(order.partner).toBe("google")
  })
})

describe("Shopify landing_site given as a path", () => {
  it("is resolved against order_status_url's origin, query kept", () => {
    const order = observed(normalizeFixture("shopify/orders-create.json", SOURCES.shopDe, "orders/create")).snapshot!
    expect(order.tracking.landingUrl).toBe(
      `https://www.acme-vitamins.com/products/vitamin-d3?gclid=${GCLID_1042}&utm_source=google&utm_medium=cpc&utm_campaign=de_brand_search`
    )
    expect(order.tracking.gclid).toBe(GCLID_1042)
  })

  it("the source's configured url wins over the payload's", () => {
    const shop = source({ id: "shop-de", kind: "shopify", url: "https://www.acme.de" })
    const order = observed(normalizeFixture("shopify/orders-paid-test.json", shop, "orders/paid")).snapshot!
    expect(order.tracking.landingUrl).toMatch(/^https:\/\/www\.acme\.de\/\?wbraid=/)
  })

  it("without order_status_url, the X-Shopify-Shop-Domain header gives the origin; without either it stays a path", () => {
    const json = fixtureJson("shopify/orders-create.json")
    delete json.order_status_url
    const text = JSON.stringify(json)
    const ctx = context(SOURCES.shopDe)
    const withHeader = webhook("shop-de", text, "orders/create", {
      headers: { "x-shopify-topic": "orders/create", "x-shopify-shop-domain": "acme-vitamins.myshopify.com" }
    })
    expect(observed(normalizeWebhook(withHeader, ctx)).snapshot?.tracking.landingUrl).toMatch(
      /^https:\/\/acme-vitamins\.myshopify\.com\/products\/vitamin-d3\?gclid=/
    )
    const bare = observed(normalizeWebhook(webhook("shop-de", text, "orders/create"), ctx))
    expect(bare.snapshot?.tracking.landingUrl).toMatch(/^\/products\/vitamin-d3\?gclid=/)
  })

  it("a full landing_site URL is kept as it is", () => {
    const order = observed(normalizeFixture("shopify/orders-paid-presentment.json", SOURCES.shopDe, "orders/paid"))
      .snapshot!
    expect(order.tracking.landingUrl).toMatch(/^https:\/\/www\.acme-vitamins\.com\/collections\/omega\?fbclid=/)
  })
})
