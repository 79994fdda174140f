// Who runs the CLI, recorded in the metadata of every event a command appends (config applies,
// re-dispatches, tokens, erasures): `--actor NAME` (any command), else S2S_ACTOR, else the OS user at
// this host, else the host alone. Never "unknown": an audit trail must name someone.
import * as os from "node:os"

let fromOption: string | undefined

/** Takes `--actor NAME` / `--actor=NAME` out of argv (before a `--`); @effect/cli sees the rest. */
export const takeActorOption = (argv: ReadonlyArray<string>): Array<string> => {
  const rest: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (word === "--") {
      rest.push(...argv.slice(i))
      break
    }
    if (word === "--actor" && i + 1 < argv.length) fromOption = argv[++i]
    else if (word.startsWith("--actor=")) fromOption = word.slice("--actor=".length)
    else rest.push(word)
  }
  return rest
}

const osUser = (env: NodeJS.ProcessEnv): string | undefined => {
  try {
    const name = os.userInfo().username
    if (name) return name
  } catch {
    // No passwd entry for this uid (a container run with an arbitrary user id): fall through.
  }
  return env.USER || env.LOGNAME || undefined
}

export const resolveActor = (
  option: string | undefined,
  env: NodeJS.ProcessEnv,
  user: () => string | undefined = () => osUser(env),
  host: () => string = () => os.hostname()
): string => {
  const given = option?.trim() || env.S2S_ACTOR?.trim()
  if (given) return `cli:${given}`
  const name = user()
  const machine = host()
  return name ? `cli:${name}@${machine}` : `cli:${machine}`
}

export const cliActor = () => resolveActor(fromOption, process.env)
