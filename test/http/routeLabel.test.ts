import { describe, expect, it } from "vitest"
import { routeLabel } from "../../src/http/Http.js"

describe("metric route labels", () => {
  it("keep ids and keys out, the console's paths included", () => {
    expect(routeLabel("/api/v1/orders/shop-de:1001/events")).toBe("/api/v1/orders/:orderKey/events")
    expect(routeLabel("/console")).toBe("/console")
    expect(routeLabel("/console/order?key=shop-de%3A1001")).toBe("/console")
    expect(routeLabel("/console/link?order=shop-de%3A1001&exp=1&sig=abc")).toBe("/console")
    expect(routeLabel("/console/api/order?orderKey=shop-de:1001")).toBe("/console/api")
    expect(routeLabel("/console/assets/app-ABC123.js")).toBe("/console/assets")
    expect(routeLabel("/docs/assets/swagger-ui-bundle.js")).toBe("/docs/assets")
    expect(routeLabel("/docs")).toBe("/docs")
    expect(routeLabel("/whatever/else")).toBe("other")
  })
})
