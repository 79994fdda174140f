// Which company (brand) an order belongs to. A source's `company` is one id, or, for a billing account
// several brands share (one Stripe or Paddle account), a map from products to companies: keys are
// matched against each line item's sku, product id (Stripe prod_..., Paddle pro_...) and price id
// (Stripe price_..., Paddle pri_...), as exact ids or globs. The most specific key wins: an exact id,
// then the glob with the most literal characters, "*" (the default) last, so the file's key order
// (which JSON reorders for numeric ids) never matters.
//
// An order whose lines belong to two companies goes, whole, to the company of its largest line (unit
// price x quantity; the first such line on a tie): one order is one conversion, sent once, and the
// largest line is the purchase that drove it. The normalization record says so (WebhookNormalized
// detail). An order without line items (a payment intent) or without any matching line gets the
// default, "*"; with no default it cannot be placed and normalization fails, visibly, for re-running
// after a fix.

import type { LineItem } from "../events/CanonicalOrder.js"
import type { SourceCompany } from "../events/configSchema.js"
import { globMatch } from "../lib/glob.js"
import { amountText } from "../lib/money.js"

export type CompanyResolution =
  | { readonly _tag: "Company"; readonly company: string; readonly note?: string | undefined }
  | { readonly _tag: "Unplaced"; readonly reason: string }

const isGlob = (key: string) => /[*?]/.test(key)

/** Exact ids first, then globs by literal characters (more is more specific), "*" last. */
const specificity = (key: string) => (isGlob(key) ? key.replace(/[*?]/g, "").length : 10_000 + key.length)

export const companyOfLine = (
  line: Pick<LineItem, "sku" | "productId" | "variantId">,
  map: Readonly<Record<string, string>>
): string | undefined => {
  const ids = [line.sku, line.productId, line.variantId].filter((v): v is string => v !== undefined && v !== "")
  const matching = Object.keys(map)
    .filter((key) => key !== "*" && ids.some((id) => (isGlob(key) ? globMatch(key, id) : key === id)))
    .sort((a, b) => specificity(b) - specificity(a))
  return matching[0] === undefined ? undefined : map[matching[0]]
}

const label = (line: Pick<LineItem, "sku" | "productId" | "name">) => line.sku ?? line.productId ?? line.name ?? "?"

export const resolveCompany = (
  company: SourceCompany,
  lines: ReadonlyArray<Pick<LineItem, "sku" | "productId" | "variantId" | "name" | "quantity" | "priceMinor">>,
  currency: string
): CompanyResolution => {
  if (typeof company === "string") return { _tag: "Company", company }
  const fallback = company["*"]
  const placed = lines.flatMap((line) => {
    const c = companyOfLine(line, company)
    return c === undefined ? [] : [{ line, company: c, value: line.priceMinor * line.quantity }]
  })
  const companies = [...new Set(placed.map((p) => p.company))]
  if (companies.length === 0)
    return fallback !== undefined
      ? {
          _tag: "Company",
          company: fallback,
          note: `company ${fallback}: no line item names a company's product (the "*" default)`
        }
      : {
          _tag: "Unplaced",
          reason:
            lines.length === 0
              ? 'the source\'s company is a product map and the order has no line items; add a "*" default'
              : `no line item (${lines.map(label).join(", ")}) matches the source's company map, which has no "*" default`
        }
  if (companies.length === 1) return { _tag: "Company", company: companies[0]! }
  const largest = placed.reduce((top, p) => (p.value > top.value ? p : top))
  return {
    _tag: "Company",
    company: largest.company,
    note:
      `company ${largest.company}: the order mixes ${companies.join(" and ")}; it goes whole to the company of its ` +
      `largest line (${label(largest.line)}, ${amountText(largest.value, currency)} ${currency})`
  }
}
