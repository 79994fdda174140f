// Data Manager API (google.ads.datamanager.v1) REST JSON shapes for POST /v1/events:ingest, and the
// google.rpc.Status error body every Google REST API answers with. Names are the proto3 JSON names.
import { Schema } from "effect"

export type DmConsentStatus = "CONSENT_GRANTED" | "CONSENT_DENIED" | "CONSENT_STATUS_UNSPECIFIED"

export interface DmProductAccount {
  readonly accountType: "GOOGLE_ADS"
  readonly accountId: string
}

export interface DmDestination {
  readonly operatingAccount: DmProductAccount
  readonly loginAccount?: DmProductAccount
  /** The numeric conversion action id (not the customers/.../conversionActions/... resource name). */
  readonly productDestinationId: string
}

/** A oneof: one identifier per entry. */
export type DmUserIdentifier = { readonly emailAddress: string } | { readonly phoneNumber: string }

export interface DmEvent {
  readonly transactionId: string
  /** RFC 3339. */
  readonly eventTimestamp: string
  readonly eventSource: "WEB"
  readonly conversionValue: number
  readonly currency: string
  readonly adIdentifiers?: { readonly gclid: string } | { readonly gbraid: string } | { readonly wbraid: string }
  readonly userData?: { readonly userIdentifiers: ReadonlyArray<DmUserIdentifier> }
  readonly consent: { readonly adUserData: DmConsentStatus; readonly adPersonalization: DmConsentStatus }
}

export interface IngestEventsRequest {
  readonly destinations: ReadonlyArray<DmDestination>
  readonly events: ReadonlyArray<DmEvent>
  /** Required whenever userData is present: how the SHA-256 digests are written (we send lower-case hex). */
  readonly encoding?: "HEX"
  readonly validateOnly?: boolean
}

export const IngestEventsResponse = Schema.Struct({
  requestId: Schema.optional(Schema.String),
  fieldWarnings: Schema.optional(
    Schema.Array(
      Schema.Struct({
        field: Schema.optional(Schema.String),
        reason: Schema.optional(Schema.String),
        description: Schema.optional(Schema.String)
      })
    )
  )
})

/** google.rpc.Status over REST: HTTP status in `code`, canonical name in `status`, typed `details`. */
export const RpcStatusBody = Schema.Struct({
  error: Schema.Struct({
    code: Schema.optional(Schema.Number),
    message: Schema.optional(Schema.String),
    status: Schema.optional(Schema.String),
    details: Schema.optional(Schema.Array(Schema.Unknown))
  })
})

export const ErrorInfo = Schema.Struct({
  "@type": Schema.Literal("type.googleapis.com/google.rpc.ErrorInfo"),
  reason: Schema.optional(Schema.String),
  domain: Schema.optional(Schema.String),
  metadata: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
})

export const BadRequest = Schema.Struct({
  "@type": Schema.Literal("type.googleapis.com/google.rpc.BadRequest"),
  fieldViolations: Schema.optional(
    Schema.Array(
      Schema.Struct({
        field: Schema.optional(Schema.String),
        description: Schema.optional(Schema.String),
        reason: Schema.optional(Schema.String)
      })
    )
  )
})

/** Duration in JSON form, e.g. "30s" or "1.5s". */
export const RetryInfo = Schema.Struct({
  "@type": Schema.Literal("type.googleapis.com/google.rpc.RetryInfo"),
  retryDelay: Schema.optional(Schema.String)
})

export const RequestInfo = Schema.Struct({
  "@type": Schema.Literal("type.googleapis.com/google.rpc.RequestInfo"),
  requestId: Schema.optional(Schema.String)
})
