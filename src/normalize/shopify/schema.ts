// The parts of Shopify's REST order and refund webhook payloads that normalization reads. Amounts are
// decimal strings in the shop currency, `*_set` objects add the presentment (customer) currency;
// ids beyond 2^53 arrive as strings from parseJson.
import { Schema } from "effect"
import { Bool, Decimal, Id, Int, opt, Str } from "../payload.js"

const Money = Schema.Struct({ amount: Decimal, currency_code: Str })
export const MoneySet = Schema.Struct({ shop_money: Money, presentment_money: Money })

export const Address = Schema.Struct({
  first_name: opt(Str),
  last_name: opt(Str),
  city: opt(Str),
  province: opt(Str),
  province_code: opt(Str),
  country: opt(Str),
  country_code: opt(Str),
  zip: opt(Str),
  phone: opt(Str)
})
export type Address = typeof Address.Type

export const Customer = Schema.Struct({
  id: opt(Id),
  email: opt(Str),
  first_name: opt(Str),
  last_name: opt(Str),
  phone: opt(Str),
  accepts_marketing: opt(Bool),
  email_marketing_consent: opt(Schema.Struct({ state: opt(Str), opt_in_level: opt(Str) })),
  default_address: opt(Address)
})

export const LineItem = Schema.Struct({
  id: opt(Id),
  product_id: opt(Id),
  variant_id: opt(Id),
  sku: opt(Str),
  title: opt(Str),
  name: opt(Str),
  quantity: Int,
  price: Decimal,
  price_set: opt(MoneySet)
})

export const Transaction = Schema.Struct({
  id: opt(Id),
  kind: opt(Str),
  status: opt(Str),
  amount: Decimal,
  currency: opt(Str),
  test: opt(Bool),
  created_at: opt(Str),
  processed_at: opt(Str)
})

export const Refund = Schema.Struct({
  id: Id,
  order_id: opt(Id),
  created_at: opt(Str),
  processed_at: opt(Str),
  transactions: opt(Schema.Array(Transaction))
})
export type Refund = typeof Refund.Type

const NoteAttribute = Schema.Struct({
  name: Schema.Union(Str, Schema.Number),
  value: opt(Schema.Union(Str, Schema.Number, Bool))
})

export const Order = Schema.Struct({
  id: Id,
  admin_graphql_api_id: opt(Str),
  name: opt(Str),
  order_number: opt(Id),
  email: opt(Str),
  contact_email: opt(Str),
  phone: opt(Str),
  created_at: Str,
  processed_at: opt(Str),
  updated_at: opt(Str),
  cancelled_at: opt(Str),
  cancel_reason: opt(Str),
  test: opt(Bool),
  financial_status: opt(Str),
  currency: Str,
  presentment_currency: opt(Str),
  total_price: Decimal,
  total_price_set: opt(MoneySet),
  landing_site: opt(Str),
  order_status_url: opt(Str),
  referring_site: opt(Str),
  browser_ip: opt(Str),
  client_details: opt(Schema.Struct({ browser_ip: opt(Str), user_agent: opt(Str) })),
  note_attributes: opt(Schema.Array(NoteAttribute)),
  tags: opt(Str),
  discount_codes: opt(Schema.Array(Schema.Struct({ code: Str }))),
  buyer_accepts_marketing: opt(Bool),
  customer: opt(Customer),
  billing_address: opt(Address),
  shipping_address: opt(Address),
  line_items: Schema.Array(LineItem),
  refunds: opt(Schema.Array(Refund))
})
export type Order = typeof Order.Type

export const Deleted = Schema.Struct({ id: Id })
