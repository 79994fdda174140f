// Our own order format for custom shops (documented in README.md next to this file). Amounts are
// decimal strings in major units ("119.90", "1500" for JPY): text, so no sender's float can change a
// cent. Times are ISO 8601 with an offset. Unknown keys are ignored, so senders can add their own.
import { Schema } from "effect"
import { Bool, Id, Int, opt, Str } from "../payload.js"

export const Amount = Schema.String.pipe(Schema.pattern(/^\s*\d+(\.\d+)?\s*$/)).annotations({
  message: () => ({ message: 'not a decimal string like "19.99"', override: true })
})

const oneOf = <const L extends ReadonlyArray<string>>(...literals: L) =>
  Schema.Literal(...literals).annotations({
    message: () => ({ message: `not one of ${literals.map((l) => `"${l}"`).join(", ")}`, override: true })
  })

export const GenericStatus = oneOf("pending", "paid", "partially_refunded", "refunded", "cancelled")

const ConsentValue = oneOf("granted", "denied")

const Address = Schema.Struct({ city: opt(Str), zip: opt(Str), region: opt(Str), country: opt(Str) })

export const GenericOrder = Schema.Struct({
  topic: opt(Str),
  id: Id,
  number: opt(Str),
  status: opt(GenericStatus),
  placedAt: Str,
  paidAt: opt(Str),
  updatedAt: opt(Str),
  cancelledAt: opt(Str),
  currency: Str,
  total: Amount,
  shopCurrency: opt(Str),
  shopTotal: opt(Amount),
  items: opt(
    Schema.Array(
      Schema.Struct({
        productId: opt(Id),
        variantId: opt(Id),
        sku: opt(Str),
        name: opt(Str),
        quantity: Int,
        price: Amount
      })
    )
  ),
  customer: opt(
    Schema.Struct({
      id: opt(Id),
      email: opt(Str),
      phone: opt(Str),
      firstName: opt(Str),
      lastName: opt(Str),
      ...Address.fields
    })
  ),
  shippingAddress: opt(Address),
  client: opt(Schema.Struct({ ip: opt(Str), userAgent: opt(Str) })),
  consent: opt(Schema.Struct({ adUserData: opt(ConsentValue), adPersonalization: opt(ConsentValue) })),
  tracking: opt(
    Schema.Struct({
      gclid: opt(Str),
      gbraid: opt(Str),
      wbraid: opt(Str),
      fbclid: opt(Str),
      fbclidCapturedAt: opt(Str),
      fbc: opt(Str),
      fbp: opt(Str),
      clickIds: opt(Schema.Record({ key: Str, value: Str })),
      utm: opt(
        Schema.Struct({ source: opt(Str), medium: opt(Str), campaign: opt(Str), content: opt(Str), term: opt(Str) })
      ),
      landingUrl: opt(Str),
      referrer: opt(Str),
      coupon: opt(Str)
    })
  ),
  attributes: opt(Schema.Record({ key: Str, value: Schema.Union(Str, Schema.Number, Bool) })),
  refunds: opt(Schema.Array(Schema.Struct({ id: Id, amount: Amount, at: opt(Str) }))),
  test: opt(Bool),
  tags: opt(Schema.Array(Str))
})
export type GenericOrder = typeof GenericOrder.Type
