// Log-in with an API token (s2s tokens create --scope audit|operate|admin). The token goes to the
// server once, in the body; what comes back is an HttpOnly session cookie the page cannot read.
import { useState } from "preact/hooks"
import { useLocation } from "wouter-preact"
import { post } from "../api.ts"
import { ErrorNote, Field } from "../components/ui.tsx"
import { type SessionInfo, useSession } from "../session.ts"

export const LoginPage = (props: { next: string }) => {
  const { signIn } = useSession()
  const [, navigate] = useLocation()
  const [token, setToken] = useState("")
  const [error, setError] = useState<Error | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  document.title = "Log in · s2s console"
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      const session = await post<SessionInfo>("/login", { token })
      setToken("")
      signIn(session)
      navigate(props.next, { replace: true })
    } catch (err) {
      setError(err as Error)
    } finally {
      setBusy(false)
    }
  }
  return (
    <main id="main" class="login">
      <h1>s2s console</h1>
      <p>
        Log in with an API token. Create one with <code>npx s2s tokens create --scope audit</code> (read),{" "}
        <code>operate</code> (re-dispatch, re-normalize) or <code>admin</code> (also reveal personal data).
      </p>
      <form onSubmit={(e) => void submit(e)} class="card">
        <Field label="API token">
          <input
            type="password"
            name="token"
            autoComplete="off"
            spellcheck={false}
            required
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          />
        </Field>
        <ErrorNote error={error} />
        <button type="submit" class="button-primary" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
      </form>
    </main>
  )
}
