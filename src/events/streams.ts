// Stream ids, in one place: the category prefix (before the first '-') groups them in summaries.
export const webhookStream = (webhookId: string) => `webhook-${webhookId}`
export const orderStream = (orderKey: string) => `order-${orderKey}`
export const targetStream = (targetId: string) => `target-${targetId}`
export const alertStream = (alertId: string) => `alert-${alertId}`
export const consoleSessionStream = (sessionId: string) => `console-session-${sessionId}`

export const orderKeyOf = (streamId: string) => (streamId.startsWith("order-") ? streamId.slice(6) : undefined)
