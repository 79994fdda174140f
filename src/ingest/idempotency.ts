// Idempotency-Key semantics for generic sources (as Stripe's API has them): a key names one request.
// The same key with the same body is a redelivery (a duplicate, as for every source); the same key
// with a different body is the sender's bug, refused with nothing stored, because recording it as a
// "duplicate" would silently drop the second order.
//
// Keyed deliveries therefore commit on their own, not in a group-commit batch: the body check and the
// append must be one transaction, serialized per key (an advisory lock), or two different bodies
// racing for a new key would both pass the check.
import type { Queryable, Sql } from "../db/Db.js"
import { firstDeliveryHash } from "../events/queries/webhooks.js"
import { commitDeliveries, type Delivery, type DeliveryOutcome } from "./GroupCommit.js"

export type KeyedOutcome = DeliveryOutcome | { readonly _tag: "KeyReused" }

/** Held until the transaction ends: every keyed delivery of one webhook stream queues behind it. */
export const lockKey = (tx: Queryable, streamId: string) =>
  tx`select pg_advisory_xact_lock(hashtextextended(${streamId}, 0))`

export const commitKeyedDelivery = (sql: Sql, delivery: Delivery): Promise<KeyedOutcome> =>
  sql.begin(async (tx): Promise<KeyedOutcome> => {
    await lockKey(tx, delivery.streamId)
    const first = await firstDeliveryHash(tx, delivery.streamId)
    if (first !== undefined && first !== delivery.received.body.sha256) return { _tag: "KeyReused" }
    const [outcome] = await commitDeliveries(tx, [delivery])
    return outcome!
  })
