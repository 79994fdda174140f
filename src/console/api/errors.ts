// The console API's own refusals, in the API's error shape {"error", "message"}: a state-changing
// request without the session's CSRF token (or from another origin), and a signed link that is not
// ours or has expired.
import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

export class CsrfRejected extends Schema.Class<CsrfRejected>("CsrfRejected")(
  { error: Schema.Literal("csrf_rejected"), message: Schema.String },
  HttpApiSchema.annotations({ status: 403 })
) {}

export class LinkRefused extends Schema.Class<LinkRefused>("LinkRefused")(
  { error: Schema.Literal("link_refused"), message: Schema.String },
  HttpApiSchema.annotations({ status: 403 })
) {}

export const csrfRejected = (message: string) => new CsrfRejected({ error: "csrf_rejected", message })
export const linkRefused = (message: string) => new LinkRefused({ error: "link_refused", message })
