// An order as the console shows it: the view, every event of its log and the readable timeline,
// personal data masked unless it is revealed. Revealing is an admin's deliberate act, recorded before
// anything is shown: PersonalDataRevealed {orderKey, actor, reason} on the session's stream, which the
// order's own log then lists.
import { Effect } from "effect"
import { EventStore } from "../../events/EventStore.js"
import { consoleSessionStream } from "../../events/streams.js"
import { toOrderLog } from "../../orders/log.js"
import { maskEvent } from "../../orders/maskEvent.js"
import { orderEvents, orderView } from "../../orders/Orders.js"
import { timeline } from "../../orders/timeline.js"
import { toOrderView } from "../../orders/view.js"
import type { OrderDetail } from "../api/schemas.js"
import { actorOf, type ConsoleUser } from "../session/Sessions.js"

export const orderDetail = Effect.fn("Console.orderDetail")(function* (orderKey: string, reveal: boolean) {
  const view = yield* orderView(orderKey)
  const events = yield* orderEvents(orderKey)
  const shown = reveal ? events : events.map((e) => ({ ...e, event: maskEvent(e.event) }))
  return {
    view: toOrderView(view, { reveal }),
    log: toOrderLog(orderKey, events, { reveal }),
    timeline: timeline(shown),
    revealed: reveal
  } satisfies OrderDetail
})

export const revealOrder = Effect.fn("Console.reveal")(function* (user: ConsoleUser, orderKey: string, reason: string) {
  // The order must exist before a reveal of it is recorded.
  yield* orderView(orderKey)
  const store = yield* EventStore
  yield* store
    .append(
      consoleSessionStream(user.sessionId),
      "any",
      [{ _tag: "PersonalDataRevealed", orderKey, sessionId: user.sessionId, actor: actorOf(user), reason }],
      { metadata: { actor: actorOf(user), source: "console:reveal", correlationId: orderKey } }
    )
    // "any" appends cannot conflict.
    .pipe(Effect.catchTag("WrongExpectedVersion", Effect.die))
  return yield* orderDetail(orderKey, true)
})
