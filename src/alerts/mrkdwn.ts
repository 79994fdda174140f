// Slack mrkdwn building blocks. Everything that came from a shop, a campaign or a partner's response is
// user-derived: `&`, `<` and `>` must be escaped, or `<!channel>` in a utm_campaign would ping a whole
// workspace and `<https://evil|Google Ads>` would render as a trusted link.
import { replacePersonalData } from "../lib/pii.js"
import { shellArg } from "../lib/shell.js"

export const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** Shortens before escaping, so an entity like `&amp;` is never cut in half. */
export const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

/** Escaped, clipped user text. */
export const plain = (text: string, max = 300): string => escapeMrkdwn(clip(text, max))

/** A code span; a backtick inside would end it early, so it becomes a quote. */
export const code = (text: string, max = 200): string => `\`${escapeMrkdwn(clip(text.replace(/`/g, "'"), max))}\``

export const bold = (text: string, max = 200): string => `*${plain(text, max)}*`

/** Percent-encodes the characters that would end a `<url|label>` link early. */
const linkUrl = (url: string): string => url.replace(/[<>|\s]/g, (c) => encodeURIComponent(c))

export const link = (url: string, label: string): string => `<${linkUrl(url)}|${plain(label, 150)}>`

// Emails are the PII most likely to leak into alerts: in landing paths (/unsubscribe/anna@x.de, or
// URL-encoded), in a partner's error message, in a campaign name pasted from a CRM; phone numbers
// in the same places. Both are recognised in every form they take there (lib/pii.ts).

/** Bounded first: the patterns backtrack on long runs, and alerts never need 2,000 characters. */
export const scrubPersonalData = (text: string): string =>
  replacePersonalData(clip(text, 2000), { email: () => "[email]", phone: () => "[phone]" })

/** The former name of scrubPersonalData (it now scrubs phone numbers too), for callers not yet renamed. */
export const scrubEmails = scrubPersonalData

/** "https://s2s.acme.com/" -> "https://s2s.acme.com"; anything but an http(s) URL -> undefined. */
export const normalizePublicUrl = (publicUrl: string | undefined): string | undefined => {
  const trimmed = publicUrl?.trim().replace(/\/+$/, "")
  return trimmed !== undefined && /^https?:\/\/[^\s]+$/i.test(trimmed) ? trimmed : undefined
}

/**
 * Where to read the order's full log: a link to its read-only console page when the service has a
 * public URL (`url`, signed and expiring: console/links), and always the CLI command.
 */
export const orderLogReference = (orderKey: string, url: string | undefined): string => {
  const cli = code(`s2s orders log ${shellArg(orderKey)}`, 300)
  return url === undefined ? `Order log: ${cli}` : `Order log: ${link(url, orderKey)} · ${cli}`
}

const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",")

export const count = (n: number): string => thousands(n)

/** Rounded down to 0.1 %, so "100%" only ever means all of them. */
export const percent = (part: number, whole: number): string => {
  if (whole <= 0) return "–"
  const tenths = Math.floor((part * 1000) / whole)
  return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)}%`
}

/** "2026-03-10 14:05 UTC" */
export const utcMinute = (iso: string): string => {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`
}
