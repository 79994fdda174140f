// Data for a page: loaded when its inputs change, kept while a reload runs, errors kept for display.
import { useEffect, useState } from "preact/hooks"

export interface Loaded<T> {
  readonly data: T | undefined
  readonly error: Error | undefined
  readonly loading: boolean
  readonly reload: () => void
}

export const useApi = <T>(load: () => Promise<T>, deps: ReadonlyArray<unknown>): Loaded<T> => {
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true
  })
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let live = true
    setState((s) => ({ ...s, loading: true }))
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) =>
        live &&
        setState((s) => ({
          data: s.data,
          error: error instanceof Error ? error : new Error(String(error)),
          loading: false
        }))
    )
    return () => {
      live = false
    }
  }, [...deps, tick])
  return { ...state, reload: () => setTick((t) => t + 1) }
}

/** Calls `f` every `ms` while the page is visible. */
export const useInterval = (f: () => void, ms: number) => {
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState === "visible") f()
    }, ms)
    return () => clearInterval(id)
  }, [f, ms])
}
