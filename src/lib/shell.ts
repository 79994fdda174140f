// Commands we print for an operator to paste (Slack alerts, the order timeline, CLI hints).

/** Single-quoted for a POSIX shell when it holds anything but safe characters. */
export const shellArg = (arg: string): string =>
  /^[A-Za-z0-9_.:@%+=,/-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`
