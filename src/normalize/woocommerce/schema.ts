// The parts of a WooCommerce REST v3 order (the body of order.* webhooks) that normalization reads.
// Totals are decimal strings in the order currency; line `price` is a JSON float (subtotal / quantity);
// refunds[].total is negative; dates come twice, site-local and *_gmt (UTC without a suffix).
import { Schema } from "effect"
import { Decimal, Id, opt, Str } from "../payload.js"

export const Address = Schema.Struct({
  first_name: opt(Str),
  last_name: opt(Str),
  city: opt(Str),
  state: opt(Str),
  postcode: opt(Str),
  country: opt(Str),
  email: opt(Str),
  phone: opt(Str)
})
export type Address = typeof Address.Type

export const Meta = Schema.Struct({ key: Str, value: opt(Schema.Unknown) })

export const LineItem = Schema.Struct({
  id: opt(Id),
  name: opt(Str),
  product_id: opt(Id),
  variation_id: opt(Id),
  quantity: Schema.Number,
  sku: opt(Str),
  price: opt(Decimal),
  subtotal: opt(Decimal),
  total: opt(Decimal)
})

export const Order = Schema.Struct({
  id: Id,
  number: opt(Str),
  status: Str,
  currency: opt(Str),
  total: Decimal,
  date_created_gmt: opt(Str),
  date_modified_gmt: opt(Str),
  date_paid_gmt: opt(Str),
  customer_id: opt(Id),
  customer_ip_address: opt(Str),
  customer_user_agent: opt(Str),
  billing: opt(Address),
  shipping: opt(Address),
  meta_data: opt(Schema.Array(Meta)),
  line_items: opt(Schema.Array(LineItem)),
  coupon_lines: opt(Schema.Array(Schema.Struct({ code: Str }))),
  refunds: opt(Schema.Array(Schema.Struct({ id: Id, total: Decimal, reason: opt(Str) })))
})
export type Order = typeof Order.Type

export const Deleted = Schema.Struct({ id: Id })
