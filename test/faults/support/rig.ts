// One fault scenario's world: its own embedded PostgreSQL, the fake channels, the service as a child
// process routing every paid order to Google (Data Manager), Meta and an affiliate postback, and the
// webhook driver. Closed (processes stopped, server stopped, temp dirs removed) by `close`.
import { type FakeChannels, startFakeChannels } from "./channels.js"
import { type FaultPostgres, type FaultPostgresOptions, startFaultPostgres } from "./postgres.js"
import { type ServiceProcess, spawnService } from "./process.js"
import { SHOPIFY_SECRET, SOURCE_ID, type WebhookDriver, webhookDriver } from "./webhooks.js"

/** The targets every order goes to, as the fake channels name them (pixel, conversion action, path). */
export const TARGETS = { google: "google-faults", meta: "meta-faults", postback: "awin-faults" } as const
export const TARGET_IDS = Object.values(TARGETS)
export const PIXEL_ID = "1234567890"
export const CONVERSION_ACTION_ID = "987654321"

export const faultConfig = (channelsUrl: string) => `sources:
  - { id: ${SOURCE_ID}, kind: shopify, company: acme, market: DE, secret: env:FAULTS_SHOPIFY_SECRET }
partners:
  - { id: google, when: [gclid] }
  - { id: meta, when: [fbc] }
  - { id: awin, when: [awc] }
targets:
  - id: ${TARGETS.google}
    channel: google-ads
    api: data-manager
    customerId: "1234567890"
    conversionActionId: "${CONVERSION_ACTION_ID}"
    credentials: env:FAULTS_GOOGLE_CREDENTIALS
    defaultConsent: granted
  - id: ${TARGETS.meta}
    channel: meta-capi
    pixelId: "${PIXEL_ID}"
    accessToken: env:FAULTS_META_TOKEN
  - id: ${TARGETS.postback}
    channel: postback
    method: GET
    url: "${channelsUrl}/postback/${TARGETS.postback}?order={order_id}&amount={amount}&cks={click_id}"
    clickId: awc
rules:
  - { id: google-all, company: "*", product: "*", partner: "*", target: ${TARGETS.google} }
  - { id: meta-all, company: "*", product: "*", partner: "*", target: ${TARGETS.meta} }
  - { id: awin-all, company: "*", product: "*", partner: "*", target: ${TARGETS.postback} }
alerts:
  slack: { token: env:FAULTS_SLACK_TOKEN, channel: "#faults" }
`

export const faultEnv = (channelsUrl: string): Record<string, string> => ({
  FAULTS_SHOPIFY_SECRET: SHOPIFY_SECRET,
  FAULTS_META_TOKEN: "EAAB-faults-token",
  FAULTS_GOOGLE_CREDENTIALS: JSON.stringify({
    type: "authorized_user",
    client_id: "faults.apps.googleusercontent.com",
    client_secret: "faults-client-secret",
    refresh_token: "1//faults-refresh-token"
  }),
  FAULTS_SLACK_TOKEN: "xoxb-faults-token",
  SLACK_API_URL: `${channelsUrl}/slack/api/`,
  META_GRAPH_URL: channelsUrl,
  GOOGLE_DATA_MANAGER_URL: channelsUrl,
  GOOGLE_OAUTH_TOKEN_URL: `${channelsUrl}/token`,
  WORKER_POLL_INTERVAL_MS: "500",
  PROJECTION_POLL_MS: "100"
})

export interface Rig {
  readonly pg: FaultPostgres
  readonly channels: FakeChannels
  readonly service: ServiceProcess
  readonly webhooks: WebhookDriver
  /** Starts another service process on the same database (a second worker, say). */
  readonly spawnAnother: (
    env?: Readonly<Record<string, string>>,
    args?: ReadonlyArray<string>
  ) => Promise<ServiceProcess>
  readonly close: () => Promise<void>
}

export const startRig = async (
  options: {
    readonly env?: Readonly<Record<string, string>>
    readonly args?: ReadonlyArray<string>
    readonly pg?: FaultPostgresOptions
  } = {}
): Promise<Rig> => {
  const pg = await startFaultPostgres(options.pg)
  const channels = await startFakeChannels()
  const others: Array<ServiceProcess> = []
  const spawn = (env?: Readonly<Record<string, string>>, args?: ReadonlyArray<string>) =>
    spawnService({
      databaseUrl: pg.url,
      config: faultConfig(channels.url),
      env: { ...faultEnv(channels.url), ...options.env, ...env },
      ...(args === undefined ? {} : { args })
    })
  let service: ServiceProcess | undefined
  try {
    service = await spawn(undefined, options.args)
  } catch (error) {
    await channels.close()
    await pg.close()
    throw error
  }
  return {
    pg,
    channels,
    service,
    webhooks: webhookDriver(service.baseUrl),
    spawnAnother: async (env, args) => {
      const other = await spawn(env, args)
      others.push(other)
      return other
    },
    close: async () => {
      await Promise.all([service.stop(), ...others.map((o) => o.stop())])
      await channels.close()
      await pg.close()
    }
  }
}

export { waitUntil } from "../../support/wait.js"
