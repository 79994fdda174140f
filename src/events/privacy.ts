// Records of GDPR erasures, on the stream erasure-{subject}. They name the subject only by a keyed
// hash (HMAC with a per-database pepper), never by the email.
import { Schema } from "effect"

export const SubjectErased = Schema.TaggedStruct("SubjectErased", {
  subject: Schema.String,
  orderKeys: Schema.Array(Schema.String),
  streams: Schema.Int,
  events: Schema.Int,
  projectionRows: Schema.Int,
  /** Rows anywhere in the database where a remaining form of the email or a phone number was scrubbed. */
  scrubbedRows: Schema.optional(Schema.Int),
  actor: Schema.String,
  reason: Schema.optional(Schema.String)
})

export const privacyEvents = [SubjectErased] as const
