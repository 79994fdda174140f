// Meta Conversions API wire shapes: what we send (POST /{version}/{pixel}/events) and what the Graph
// API answers. Field names are Meta's; see the server-event, customer-information and custom-data
// parameter pages of the Conversions API documentation.
import { Schema } from "effect"
import type { MetaHashedUserData } from "../identity/identifiers.js"

/** Hashed keys are sent as one-element lists, as Meta's Business SDK does (string or list are both accepted). */
export type MetaUserData = { readonly [K in keyof MetaHashedUserData]?: ReadonlyArray<string> } & {
  readonly client_ip_address?: string
  readonly client_user_agent?: string
  readonly fbc?: string
  readonly fbp?: string
}

export interface MetaContent {
  readonly id: string
  readonly quantity: number
  readonly item_price: number
}

export interface MetaCustomData {
  readonly value: number
  readonly currency: string
  readonly content_type: "product"
  readonly contents?: ReadonlyArray<MetaContent>
  readonly content_ids?: ReadonlyArray<string>
  readonly num_items?: number
  readonly order_id: string
}

export interface MetaServerEvent {
  readonly event_name: "Purchase"
  /** Unix seconds; the whole request fails if any event is older than 7 days. */
  readonly event_time: number
  /** Deduplicates with the pixel's eventID (same event_name) within 48 h. */
  readonly event_id: string
  readonly action_source: "website"
  readonly event_source_url?: string
  readonly user_data: MetaUserData
  readonly custom_data: MetaCustomData
  /** ["LDU"] or []; country/state 0/0 ask Meta to geolocate. */
  readonly data_processing_options?: ReadonlyArray<string>
  readonly data_processing_options_country?: number
  readonly data_processing_options_state?: number
}

export interface MetaEventsRequest {
  readonly data: ReadonlyArray<MetaServerEvent>
  readonly test_event_code?: string
}

/** 200 body: `{ events_received, messages, fbtrace_id }`. */
export const GraphEventsResponse = Schema.Struct({
  events_received: Schema.Number,
  messages: Schema.optional(Schema.Array(Schema.Unknown)),
  fbtrace_id: Schema.optional(Schema.String)
})

/** Graph API error body (also carries is_transient on CAPI errors). */
export const GraphErrorResponse = Schema.Struct({
  error: Schema.Struct({
    message: Schema.optional(Schema.String),
    type: Schema.optional(Schema.String),
    code: Schema.optional(Schema.Number),
    error_subcode: Schema.optional(Schema.Number),
    is_transient: Schema.optional(Schema.Boolean),
    error_user_title: Schema.optional(Schema.String),
    error_user_msg: Schema.optional(Schema.String),
    fbtrace_id: Schema.optional(Schema.String)
  })
})
export type GraphError = (typeof GraphErrorResponse.Type)["error"]
