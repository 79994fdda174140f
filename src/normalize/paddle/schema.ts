// The parts of Paddle Billing notifications that normalization reads. Amounts are strings of minor
// units ("65215"), currencies upper case, times ISO 8601 with microseconds; an unset time can be
// "0001-01-01T00:00:00Z".
import { Schema } from "effect"
import { AnyRecord, Int, MinorText, opt, Str } from "../payload.js"

export const Event = Schema.Struct({
  event_id: Str,
  event_type: Str,
  occurred_at: Str,
  data: Schema.Unknown
})

const LineItem = Schema.Struct({
  price_id: opt(Str),
  quantity: Int,
  unit_totals: opt(Schema.Struct({ subtotal: MinorText })),
  product: opt(Schema.Struct({ id: opt(Str), name: opt(Str), custom_data: opt(AnyRecord) }))
})

export const Transaction = Schema.Struct({
  id: Str,
  status: Str,
  customer_id: opt(Str),
  custom_data: opt(AnyRecord),
  currency_code: Str,
  invoice_number: opt(Str),
  created_at: Str,
  updated_at: opt(Str),
  billed_at: opt(Str),
  details: Schema.Struct({
    totals: Schema.Struct({ grand_total: MinorText, currency_code: opt(Str) }),
    /** In the seller's payout currency; null until the transaction is completed. */
    payout_totals: opt(Schema.Struct({ grand_total: opt(MinorText), currency_code: opt(Str) })),
    line_items: opt(Schema.Array(LineItem))
  }),
  payments: opt(Schema.Array(Schema.Struct({ status: opt(Str), captured_at: opt(Str) })))
})
export type Transaction = typeof Transaction.Type

export const Adjustment = Schema.Struct({
  id: Str,
  action: Str,
  type: opt(Str),
  status: Str,
  transaction_id: Str,
  currency_code: Str,
  totals: Schema.Struct({ total: MinorText }),
  created_at: opt(Str),
  updated_at: opt(Str)
})
