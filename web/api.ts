// Calls to the console API (/console/api): JSON in and out, the session cookie sent by the browser,
// the CSRF token on every POST. Errors arrive in the API's shape {"error", "message"}; a 401 means the
// session is gone and the app shows the log-in.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

let csrfToken: string | undefined
let onUnauthorized: () => void = () => {}

export const setCsrfToken = (token: string | undefined) => {
  csrfToken = token
}

export const setUnauthorizedHandler = (handler: () => void) => {
  onUnauthorized = handler
}

const call = async <T>(path: string, init: RequestInit): Promise<T> => {
  const response = await fetch(`/console/api${path}`, { credentials: "same-origin", ...init })
  const text = await response.text()
  let body: unknown
  try {
    body = text === "" ? undefined : JSON.parse(text)
  } catch {
    body = undefined
  }
  if (!response.ok) {
    const error = body as { error?: string; message?: string } | undefined
    if (response.status === 401 && !path.startsWith("/login") && !path.startsWith("/link")) onUnauthorized()
    throw new ApiError(response.status, error?.error ?? "error", error?.message ?? `HTTP ${response.status}`)
  }
  return body as T
}

export type Params = Record<string, string | number | undefined>

export const query = (params: Params) => {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== "") search.set(key, String(value))
  const text = search.toString()
  return text === "" ? "" : `?${text}`
}

export const get = <T>(path: string, params: Params = {}) => call<T>(`${path}${query(params)}`, { method: "GET" })

export const post = <T>(path: string, body: unknown) =>
  call<T>(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(csrfToken === undefined ? {} : { "x-csrf-token": csrfToken }) },
    body: JSON.stringify(body)
  })
