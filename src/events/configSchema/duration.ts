// Durations as s2s.yaml writes them, and their length in milliseconds.
import { Schema } from "effect"

/** "90s", "15m", "6h", "7d" */
export const DurationText = Schema.String.pipe(
  Schema.pattern(/^\d+(ms|s|m|h|d)$/, { message: () => 'durations look like "500ms", "90s", "15m", "6h" or "7d"' })
)

export const durationMillis = (text: string): number => {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text)
  if (!match) throw new Error(`not a duration: ${text}`)
  const n = Number(match[1])
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "ms" | "s" | "m" | "h" | "d"]
  return n * unit
}
