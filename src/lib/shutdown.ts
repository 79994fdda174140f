// Signals during a graceful shutdown. Effect's runMain interrupts the program on the first SIGINT or
// SIGTERM and then removes its listener, so a second signal would kill Node on the spot, skipping the
// release of what the program holds (the embedded PostgreSQL above all). A second signal is common
// and not meant as "force": Ctrl-C under `npm start` reaches the server twice, once from the terminal
// and once forwarded by npm. So a repeat within REPEAT_MS is ignored; a later one forces the exit,
// after the hooks registered here (stopping an embedded server we own) ran synchronously.

const REPEAT_MS = 2_000

const hooks = new Set<() => void>()

/** Runs `hook` if the process is forced out; returns the unregistration. */
export const onForcedExit = (hook: () => void) => {
  hooks.add(hook)
  return () => {
    hooks.delete(hook)
  }
}

export const installSignalGuard = (now: () => number = Date.now) => {
  let first: number | undefined
  const handler = (signal: NodeJS.Signals) => {
    const at = now()
    if (first === undefined) {
      first = at
      return
    }
    if (at - first < REPEAT_MS) return
    process.stderr.write(`received ${signal} again: exiting now, without waiting for running work\n`)
    for (const hook of hooks) {
      try {
        hook()
      } catch {
        // Best effort: the process is leaving either way.
      }
    }
    process.exit(130)
  }
  process.on("SIGINT", handler)
  process.on("SIGTERM", handler)
  return () => {
    process.removeListener("SIGINT", handler)
    process.removeListener("SIGTERM", handler)
  }
}
