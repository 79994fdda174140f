// Demo mode: when the service runs the bundled examples/s2s.yaml, every channel is pointed at the
// built-in sink (DemoSink.ts) unless the environment says otherwise, and the demo secrets get their
// public demo values. Nothing here applies once an operator gives a configuration of their own.
export const DEMO_SECRETS: Readonly<Record<string, string>> = {
  S2S_DEMO_SHOPIFY_SECRET: "demo-shopify-secret",
  S2S_DEMO_WOOCOMMERCE_SECRET: "demo-woocommerce-secret",
  S2S_DEMO_STRIPE_SECRET: "whsec_demo_stripe_secret",
  S2S_DEMO_META_TOKEN: "demo-meta-access-token",
  S2S_DEMO_GOOGLE_CREDENTIALS: JSON.stringify({
    type: "authorized_user",
    client_id: "demo-client.apps.googleusercontent.com",
    client_secret: "demo-client-secret",
    refresh_token: "demo-refresh-token"
  }),
  S2S_DEMO_SLACK_TOKEN: "xoxb-demo-token"
}

/** The placeholder for the sink's base URL in examples/s2s.yaml. */
export const SINK_PLACEHOLDER = "http://localhost:3000"

export const sinkUrl = () => `http://127.0.0.1:${process.env.PORT ?? "3000"}`

/** Sets the demo defaults for every variable that is unset. */
export const enterDemoMode = () => {
  const sink = sinkUrl()
  const defaults: Record<string, string> = {
    ...DEMO_SECRETS,
    S2S_DEMO: "1",
    META_GRAPH_URL: `${sink}/demo/meta`,
    GOOGLE_DATA_MANAGER_URL: `${sink}/demo/google`,
    GOOGLE_OAUTH_TOKEN_URL: `${sink}/demo/oauth/token`,
    SLACK_API_URL: `${sink}/demo/slack/api/`
  }
  for (const [name, value] of Object.entries(defaults)) if (!process.env[name]) process.env[name] = value
}

export const demoEnabled = () => process.env.S2S_DEMO === "1"
