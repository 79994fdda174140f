// One redrawn progress line on stderr for long commands (rebuild, redispatch, renormalize), only when
// stderr is a terminal: logs, pipes and CI output stay clean.
import { Effect } from "effect"
import { progressLine, throttled } from "../operations/progress.js"

export interface TerminalProgress {
  readonly onProgress: ((done: number, total: number) => void) | undefined
  readonly done: () => void
}

export const terminalProgress = (
  name: string,
  unit = "events",
  isTTY = process.stderr.isTTY === true
): TerminalProgress => {
  if (!isTTY) return { onProgress: undefined, done: () => {} }
  const started = performance.now()
  const due = throttled(100)
  let drawn = false
  return {
    onProgress: (done, total) => {
      if (!due(done >= total)) return
      drawn = true
      process.stderr.write(`\r\x1b[2K${progressLine(name, done, total, performance.now() - started, unit)}`)
    },
    done: () => {
      if (drawn) process.stderr.write("\r\x1b[2K")
    }
  }
}

/** Runs `effect` with a terminal progress line that is cleared however it ends. */
export const withTerminalProgress = <A, E, R>(
  name: string,
  unit: string,
  effect: (onProgress: TerminalProgress["onProgress"]) => Effect.Effect<A, E, R>
) =>
  Effect.suspend(() => {
    const progress = terminalProgress(name, unit)
    return effect(progress.onProgress).pipe(Effect.ensuring(Effect.sync(progress.done)))
  })
