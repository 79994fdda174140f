// Paddle Billing notifications: transaction.completed / transaction.paid (a paid snapshot; the value is
// details.totals.grand_total, what the customer paid including tax) and adjustment.created /
// adjustment.updated (a refund or chargeback once approved; its totals.total is that adjustment's
// amount). An adjustment only names its transaction, so for a source with `ordersOf` it is keyed by the
// transaction and resolved through the alias its transaction.completed declared. Paddle sends no test
// flag (sandbox and live look alike); testOrders rules apply. Customer contact data is not in the
// payload (only customer_id), so orders carry only what custom_data holds.
import { Either } from "effect"
import { compact, text } from "../../lib/compact.js"
import { currencyCode } from "../money.js"
import type { Details, Draft } from "../outcome.js"
import { type Parser, recordAttributes, skip } from "../parser.js"
import { decodeAt, minorTextAt, required } from "../payload.js"
import { isoTime } from "../time.js"
import { Adjustment, Event, type Transaction, Transaction as TransactionSchema } from "./schema.js"

const DATA = "data"
const PAYMENT_TOPICS = new Set(["transaction.completed", "transaction.paid"])
const ADJUSTMENT_TOPICS = new Set(["adjustment.created", "adjustment.updated"])
const REFUNDS = new Set(["refund", "chargeback"])

const transactionDraft = (txn: Transaction, occurredAt: string) =>
  Either.gen(function* () {
    const currency = yield* required(
      currencyCode(txn.currency_code),
      `${DATA}.currency_code`,
      "not an ISO 4217 currency code"
    )
    const amountMinor = yield* minorTextAt(txn.details.totals.grand_total, `${DATA}.details.totals.grand_total`)
    // The shop value: what the seller is paid out, when that currency differs from the customer's.
    const payout = txn.details.payout_totals
    const payoutCurrency = currencyCode(payout?.currency_code)
    const shopValue =
      payout?.grand_total != null && payoutCurrency !== undefined && payoutCurrency !== currency
        ? {
            amountMinor: yield* minorTextAt(payout.grand_total, `${DATA}.details.payout_totals.grand_total`),
            currency: payoutCurrency
          }
        : undefined
    const lineItems = []
    for (const [i, item] of (txn.details.line_items ?? []).entries()) {
      const subtotal = item.unit_totals?.subtotal
      lineItems.push({
        ...compact({
          productId: text(item.product?.id),
          variantId: text(item.price_id),
          sku: text(item.product?.custom_data?.sku),
          name: text(item.product?.name)
        }),
        quantity: item.quantity,
        priceMinor:
          subtotal == null ? 0 : yield* minorTextAt(subtotal, `${DATA}.details.line_items[${i}].unit_totals.subtotal`)
      })
    }
    const placedAt = yield* required(isoTime(txn.created_at), `${DATA}.created_at`, "not an ISO 8601 time with offset")
    const attributes = recordAttributes(txn.custom_data)
    const captured = txn.payments?.find((p) => p.status === "captured")?.captured_at
    const details: Details = {
      platform: "paddle",
      value: { amountMinor, currency },
      lineItems,
      customer: compact({ externalId: text(txn.customer_id) }),
      placedAt,
      signals: { attributes },
      tags: [],
      ...compact({ orderNumber: text(txn.invoice_number), updatedAt: isoTime(txn.updated_at) ?? occurredAt, shopValue })
    }
    return {
      _tag: "Draft",
      orderId: txn.id,
      details,
      paidAt: isoTime(txn.billed_at) ?? isoTime(captured) ?? occurredAt,
      refunds: [],
      fullyRefunded: false,
      ...compact({ shopOrderId: text(attributes.find(([k]) => k === "order_id")?.[1]) })
    } satisfies Draft
  })

export const parsePaddle: Parser = ({ body }) =>
  Either.gen(function* () {
    const event = yield* decodeAt(Event)(body)
    const occurredAt = yield* required(isoTime(event.occurred_at), "occurred_at", "not an ISO 8601 time with offset")
    if (PAYMENT_TOPICS.has(event.event_type)) {
      const txn = yield* decodeAt(TransactionSchema, DATA)(event.data)
      return yield* transactionDraft(txn, occurredAt)
    }
    if (ADJUSTMENT_TOPICS.has(event.event_type)) {
      const adjustment = yield* decodeAt(Adjustment, DATA)(event.data)
      if (!REFUNDS.has(adjustment.action)) return yield* skip(`adjustment action ${adjustment.action} returns no money`)
      if (adjustment.status !== "approved") return yield* skip(`adjustment ${adjustment.status} is not a refund yet`)
      const currency = yield* required(
        currencyCode(adjustment.currency_code),
        `${DATA}.currency_code`,
        "not an ISO 4217 currency code"
      )
      const amountMinor = yield* minorTextAt(adjustment.totals.total, `${DATA}.totals.total`)
      const at = isoTime(adjustment.updated_at) ?? isoTime(adjustment.created_at) ?? occurredAt
      return {
        _tag: "Draft",
        orderId: adjustment.transaction_id,
        refunds: [{ id: adjustment.id, amountMinor, currency, at }],
        fullyRefunded: adjustment.type === "full"
      } satisfies Draft
    }
    return yield* skip(`event ${event.event_type} says nothing about an order`)
  })
