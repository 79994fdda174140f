// The port through which alerts link an order's read-only page: the console provides it
// (console/links/OrderLinksLive.ts); without it, alerts name only the CLI command.
import { Context, type Effect } from "effect"

export interface OrderLinksService {
  /**
   * A function from order key to a signed, expiring link to the order's read-only page, or to
   * undefined when the service has no public URL (S2S_PUBLIC_URL, else `fallbackPublicUrl`).
   */
  readonly linker: (fallbackPublicUrl: string | undefined) => Effect.Effect<(orderKey: string) => string | undefined>
}

export class OrderLinks extends Context.Tag("app/OrderLinks")<OrderLinks, OrderLinksService>() {}
