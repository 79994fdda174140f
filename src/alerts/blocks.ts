// The few Block Kit shapes alerts use, with Slack's limits applied where the blocks are built (header
// 150 characters, section text 3000, 10 fields of 2000, 50 blocks), so a long campaign name or a
// verbose partner error can shorten a message but never get it refused as invalid_blocks.
import { clip } from "./mrkdwn.js"

export interface MrkdwnText {
  readonly type: "mrkdwn"
  readonly text: string
}

export type Block =
  | {
      readonly type: "header"
      readonly text: { readonly type: "plain_text"; readonly text: string; readonly emoji: true }
    }
  | { readonly type: "section"; readonly text: MrkdwnText }
  | { readonly type: "section"; readonly fields: ReadonlyArray<MrkdwnText> }
  | { readonly type: "context"; readonly elements: ReadonlyArray<MrkdwnText> }
  | { readonly type: "divider" }

export interface SlackMessage {
  /** Notification and screen-reader fallback; mrkdwn, escaped like the blocks. */
  readonly text: string
  readonly blocks: ReadonlyArray<Block>
}

export const MAX_BLOCKS = 50

const mrkdwn = (text: string, max: number): MrkdwnText => ({ type: "mrkdwn", text: clip(text, max) })

/** Plain text: Slack shows it as is, so it is not escaped (an escaped `&` would show as `&amp;`). */
export const header = (text: string): Block => ({
  type: "header",
  text: { type: "plain_text", text: clip(text, 150), emoji: true }
})

export const section = (text: string): Block => ({ type: "section", text: mrkdwn(text, 3000) })

/** Label/value pairs; undefined values are left out, labels are our own words. */
export const fields = (pairs: ReadonlyArray<readonly [string, string | undefined]>): ReadonlyArray<Block> => {
  const present = pairs.filter((pair): pair is readonly [string, string] => pair[1] !== undefined).slice(0, 10)
  return present.length === 0
    ? []
    : [{ type: "section", fields: present.map(([label, value]) => mrkdwn(`*${label}*\n${value}`, 2000)) }]
}

export const context = (...texts: ReadonlyArray<string>): Block => ({
  type: "context",
  elements: texts.slice(0, 10).map((text) => mrkdwn(text, 3000))
})

export const divider: Block = { type: "divider" }

export const message = (text: string, blocks: ReadonlyArray<Block>): SlackMessage => ({
  text: clip(text, 3000),
  blocks: blocks.slice(0, MAX_BLOCKS)
})
