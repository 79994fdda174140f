// A console client for the integration tests: logs in with a token as the browser does and calls the
// console API with the session cookie and the CSRF token.
export interface ConsoleSession {
  readonly cookie: string
  readonly csrf: string
  readonly setCookie: string
  readonly scope: string
}

export const login = async (baseUrl: string, token: string): Promise<ConsoleSession> => {
  const res = await fetch(`${baseUrl}/console/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token })
  })
  if (res.status !== 200) throw new Error(`log-in answered ${res.status}: ${await res.text()}`)
  const body = (await res.json()) as { csrfToken: string; scope: string }
  const setCookie = res.headers.get("set-cookie") ?? ""
  return { cookie: setCookie.split(";")[0] ?? "", csrf: body.csrfToken, setCookie, scope: body.scope }
}

export interface Answer<T> {
  readonly status: number
  readonly body: T
  readonly headers: Headers
}

const answer = async <T>(res: Response): Promise<Answer<T>> => {
  const text = await res.text()
  return { status: res.status, body: (text === "" ? undefined : JSON.parse(text)) as T, headers: res.headers }
}

export const consoleGet = async <T = Record<string, unknown>>(
  baseUrl: string,
  path: string,
  session?: ConsoleSession
): Promise<Answer<T>> =>
  answer<T>(
    await fetch(`${baseUrl}/console/api${path}`, { headers: session === undefined ? {} : { cookie: session.cookie } })
  )

export const consolePost = async <T = Record<string, unknown>>(
  baseUrl: string,
  path: string,
  body: unknown,
  session: ConsoleSession,
  options: { readonly csrf?: string | null; readonly origin?: string } = {}
): Promise<Answer<T>> => {
  const csrf = options.csrf === undefined ? session.csrf : options.csrf
  return answer<T>(
    await fetch(`${baseUrl}/console/api${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        cookie: session.cookie,
        ...(csrf === null ? {} : { "x-csrf-token": csrf }),
        ...(options.origin === undefined ? {} : { origin: options.origin })
      },
      body: JSON.stringify(body)
    })
  )
}
