// Runs an adapter effect with a fixed environment: the same map feeds the Secrets service (env:NAME
// references) and Effect Config (META_GRAPH_URL, GOOGLE_DATA_MANAGER_URL, GOOGLE_OAUTH_TOKEN_URL).
import { createHash } from "node:crypto"
import { ConfigProvider, Effect } from "effect"
import { type Secrets, SecretsTest } from "../../../../src/config/Secrets.js"

export const withEnv =
  (env: Record<string, string>) =>
  <A, E>(effect: Effect.Effect<A, E, Secrets>): Effect.Effect<A, E> =>
    effect.pipe(
      Effect.provide(SecretsTest(env)),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    )

/** SHA-256 hex of an already-normalized value, written out literally in the tests. */
export const sha = (normalized: string) => createHash("sha256").update(normalized, "utf8").digest("hex")
