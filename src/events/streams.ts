// Stream ids, in one place (nothing else builds them): the category prefix (before the first '-')
// groups them in summaries; config streams share the "config:" prefix.
export const ORDER_CATEGORY = "order-"
export const WEBHOOK_CATEGORY = "webhook-"
export const TARGET_CATEGORY = "target-"
export const ALERT_CATEGORY = "alert-"
export const CONFIG_PREFIX = "config:"

export const webhookStream = (webhookId: string) => `${WEBHOOK_CATEGORY}${webhookId}`
export const orderStream = (orderKey: string) => `${ORDER_CATEGORY}${orderKey}`
export const targetStream = (targetId: string) => `${TARGET_CATEGORY}${targetId}`
export const alertStream = (alertId: string) => `${ALERT_CATEGORY}${alertId}`
export const consoleSessionStream = (sessionId: string) => `console-session-${sessionId}`
export const tokenStream = (tokenId: string) => `token-${tokenId}`
/** An erasure's record, named by the subject's keyed hash (never the email). */
export const erasureStream = (subject: string) => `erasure-${subject}`

export const configStreams = {
  source: (id: string) => `${CONFIG_PREFIX}source:${id}`,
  target: (id: string) => `${CONFIG_PREFIX}target:${id}`,
  rule: (id: string) => `${CONFIG_PREFIX}rule:${id}`,
  products: `${CONFIG_PREFIX}products`,
  partners: `${CONFIG_PREFIX}partners`,
  alerts: `${CONFIG_PREFIX}alerts`
} as const

/** The order key of an order stream, undefined for any other stream. */
export const orderKeyOf = (streamId: string) =>
  streamId.startsWith(ORDER_CATEGORY) ? streamId.slice(ORDER_CATEGORY.length) : undefined
/** Whether a stream is an order's. */
export const isOrderStream = (streamId: string) => streamId.startsWith(ORDER_CATEGORY)
export const isWebhookStream = (streamId: string) => streamId.startsWith(WEBHOOK_CATEGORY)
