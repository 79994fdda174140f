// The parts of Stripe events and their objects that normalization reads. Amounts are integers in
// Stripe's minor units, currencies lower case, times unix seconds. Expandable references arrive as an
// id string (or, expanded, an object with an id).
import { Schema } from "effect"
import { AnyRecord, Bool, Int, opt, Str } from "../payload.js"

export const Ref = Schema.Union(Str, Schema.Struct({ id: Str }))
export type Ref = typeof Ref.Type
export const refId = (ref: Ref | null | undefined): string | undefined =>
  ref == null ? undefined : typeof ref === "string" ? ref : ref.id

export const Address = Schema.Struct({
  city: opt(Str),
  country: opt(Str),
  postal_code: opt(Str),
  state: opt(Str)
})
export type Address = typeof Address.Type

const Shipping = Schema.Struct({ address: opt(Address), name: opt(Str) })

export const Event = Schema.Struct({
  id: Str,
  type: Str,
  created: Int,
  livemode: opt(Bool),
  // Decoded per event type below; a Struct here would strip the object's fields.
  data: Schema.Struct({ object: Schema.Unknown })
})

export const CheckoutSession = Schema.Struct({
  id: Str,
  mode: opt(Str),
  amount_total: opt(Int),
  currency: opt(Str),
  payment_status: Str,
  payment_intent: opt(Ref),
  invoice: opt(Ref),
  customer: opt(Ref),
  customer_email: opt(Str),
  customer_details: opt(Schema.Struct({ email: opt(Str), name: opt(Str), phone: opt(Str), address: opt(Address) })),
  /** Before API 2025-03-31 the shipping details sat on the session; since then under collected_information. */
  shipping_details: opt(Shipping),
  collected_information: opt(Schema.Struct({ shipping_details: opt(Shipping) })),
  consent: opt(Schema.Struct({ promotions: opt(Str) })),
  currency_conversion: opt(Schema.Struct({ amount_total: Int, source_currency: Str })),
  metadata: opt(AnyRecord),
  created: opt(Int),
  livemode: opt(Bool)
})

export const PaymentIntent = Schema.Struct({
  id: Str,
  amount: Int,
  amount_received: opt(Int),
  currency: Str,
  customer: opt(Ref),
  invoice: opt(Ref),
  receipt_email: opt(Str),
  shipping: opt(Schema.Struct({ address: opt(Address), name: opt(Str), phone: opt(Str) })),
  metadata: opt(AnyRecord),
  created: Int,
  livemode: opt(Bool)
})

const InvoiceLine = Schema.Struct({
  amount: Int,
  quantity: opt(Int),
  description: opt(Str),
  price: opt(Schema.Struct({ id: opt(Str), product: opt(Ref), unit_amount: opt(Int) })),
  pricing: opt(
    Schema.Struct({
      price_details: opt(Schema.Struct({ price: opt(Str), product: opt(Str) })),
      unit_amount_decimal: opt(Str)
    })
  )
})

export const Invoice = Schema.Struct({
  id: Str,
  number: opt(Str),
  amount_paid: Int,
  currency: Str,
  customer: opt(Ref),
  customer_email: opt(Str),
  customer_name: opt(Str),
  customer_phone: opt(Str),
  customer_address: opt(Address),
  payment_intent: opt(Ref),
  lines: opt(Schema.Struct({ data: Schema.Array(InvoiceLine) })),
  metadata: opt(AnyRecord),
  parent: opt(Schema.Struct({ subscription_details: opt(Schema.Struct({ metadata: opt(AnyRecord) })) })),
  subscription_details: opt(Schema.Struct({ metadata: opt(AnyRecord) })),
  status_transitions: opt(Schema.Struct({ paid_at: opt(Int) })),
  created: Int,
  livemode: opt(Bool)
})

export const Charge = Schema.Struct({
  id: Str,
  amount: Int,
  amount_refunded: Int,
  refunded: Bool,
  currency: Str,
  payment_intent: opt(Ref),
  invoice: opt(Ref),
  metadata: opt(AnyRecord),
  livemode: opt(Bool)
})
