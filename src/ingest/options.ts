// Ingest's settings from the environment: the group commit's batches (GroupCommit.ts), the bytes of
// bodies held at once (bodyBudget.ts) and which proxies name the client's address (clientAddress.ts).
import { Config } from "effect"

export const IngestOptions = Config.all({
  maxBatch: Config.integer("INGEST_MAX_BATCH").pipe(Config.withDefault(200)),
  maxInFlight: Config.integer("INGEST_MAX_IN_FLIGHT").pipe(Config.withDefault(2)),
  maxBatchBytes: Config.integer("INGEST_MAX_BATCH_BYTES").pipe(Config.withDefault(1024 * 1024)),
  // Two bodies of the largest size (1 MiB) at once; small webhooks never fill it (2,000 of 1 KB).
  maxBytesInFlight: Config.integer("INGEST_MAX_BYTES_IN_FLIGHT").pipe(Config.withDefault(2 * 1024 * 1024)),
  // How long a webhook waits for room in that budget before it is answered 503 unread: the platforms
  // give up at about 5 s, so the default answers before they do.
  bodyWaitMs: Config.integer("INGEST_BODY_WAIT_MS").pipe(
    Config.validate({ message: "must be between 0 and 60000", validation: (ms) => ms >= 0 && ms <= 60_000 }),
    Config.withDefault(4_000)
  ),
  trustProxy: Config.boolean("S2S_TRUST_PROXY").pipe(Config.withDefault(false)),
  hops: Config.integer("S2S_TRUST_PROXY_HOPS").pipe(Config.withDefault(1))
})
export type IngestOptions = Config.Config.Success<typeof IngestOptions>
