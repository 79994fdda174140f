// Source authentication, before anything is parsed or stored: a bearer-token scheme (generic) needs
// an ingest token issued for its source (tokens/), a signing scheme a signature that one of the
// source's secrets verifies (sources/). A refusal is logged, rate-limited, with its reason, never the credential: a refused
// token may still be someone's valid one. A secret that cannot be resolved is answered 503, so the
// platform retries once it is set.
import { type Context, Effect, Redacted } from "effect"
import type { Secrets } from "../config/Secrets.js"
import type { Source } from "../events/configSchema.js"
import type { Tokens } from "../tokens/Tokens.js"
import { type IngestOutcome, refused } from "./outcome.js"
import { type IncomingWebhook, schemes, secretRefsOf, toleranceOf } from "./sources/index.js"

export interface AuthenticateDeps {
  readonly tokens: Context.Tag.Service<Tokens>
  readonly secrets: Context.Tag.Service<Secrets>
  /** The rate-limited warning: (message, key). */
  readonly warn: (message: string, key: string) => void
}

/** Undefined when the webhook may go on, else the refusal to answer. */
export type Authenticate = (source: Source, req: IncomingWebhook) => Effect.Effect<IngestOutcome | undefined>

const bearer = (headers: Readonly<Record<string, string>>) =>
  /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "")?.[1]

export const makeAuthenticate =
  ({ tokens, secrets, warn }: AuthenticateDeps): Authenticate =>
  (source, req) =>
    Effect.gen(function* () {
      const scheme = schemes[source.kind]
      if (scheme.auth === "bearer-token") {
        const token = bearer(req.headers)
        const principal = token === undefined ? undefined : yield* tokens.verify(token).pipe(Effect.orDie)
        if (principal?.scope === "ingest" && principal.sourceId === source.id) return undefined
        const reason =
          token === undefined ? "missing_token" : principal === undefined ? "invalid_token" : "token_not_for_source"
        warn(`source ${source.id}: webhook refused (${reason})`, source.id)
        return refused(
          401,
          "unauthorized",
          "a valid ingest token for this source is required (Authorization: Bearer ...)"
        )
      }
      const resolved = yield* Effect.forEach(secretRefsOf(source), (ref) =>
        secrets.get(ref, `source ${source.id}`)
      ).pipe(Effect.either)
      if (resolved._tag === "Left") {
        yield* Effect.logError(resolved.left.message)
        return refused(503, "source_misconfigured", `source ${source.id} cannot verify signatures right now`)
      }
      const result = scheme.verify(req, resolved.right.map(Redacted.value), toleranceOf(scheme, source))
      if (result.ok) return undefined
      warn(`source ${source.id}: webhook refused (${result.reason})`, source.id)
      return result.reason === "stale_timestamp"
        ? refused(401, "stale_signature", "the signature timestamp is outside the allowed tolerance")
        : refused(401, "invalid_signature", "the webhook signature is missing or does not match")
    })
