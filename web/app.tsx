// Routes and the session: a signed link (/console/link) opens without one; every other page needs a
// log-in, and the page asked for is shown once logged in.
import { useEffect, useMemo, useState } from "preact/hooks"
import { Redirect, Route, Router, Switch, useLocation, useSearch } from "wouter-preact"
import { get, post, setCsrfToken, setUnauthorizedHandler } from "./api.ts"
import { Layout } from "./components/Layout.tsx"
import { Loading } from "./components/ui.tsx"
import { AttentionPage } from "./pages/Attention.tsx"
import { CoveragePage } from "./pages/Coverage.tsx"
import { LinkPage } from "./pages/Link.tsx"
import { LoginPage } from "./pages/Login.tsx"
import { OrderPage } from "./pages/Order.tsx"
import { OrdersPage } from "./pages/Orders.tsx"
import { QueuePage } from "./pages/Queue.tsx"
import { RulesPage } from "./pages/Rules.tsx"
import { SessionContext, type SessionInfo, type SessionState } from "./session.ts"

const Signed = () => {
  const [session, setSession] = useState<SessionInfo | undefined>(undefined)
  const [checked, setChecked] = useState(false)
  const [location] = useLocation()
  const search = useSearch()
  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(undefined)
      setSession(undefined)
    })
    get<SessionInfo>("/session").then(
      (s) => {
        setCsrfToken(s.csrfToken)
        setSession(s)
        setChecked(true)
      },
      () => setChecked(true)
    )
  }, [])
  const state = useMemo<SessionState>(
    () => ({
      session,
      signIn: (s) => {
        setCsrfToken(s.csrfToken)
        setSession(s)
      },
      signOut: async () => {
        await post("/logout", {}).catch(() => undefined)
        setCsrfToken(undefined)
        setSession(undefined)
      }
    }),
    [session]
  )
  if (!checked)
    return (
      <main id="main">
        <Loading what="the console" />
      </main>
    )
  return (
    <SessionContext.Provider value={state}>
      {session === undefined ? (
        <LoginPage next={location === "/login" ? "/orders" : `${location}${search === "" ? "" : `?${search}`}`} />
      ) : (
        <Layout>
          <Switch>
            <Route path="/orders" component={OrdersPage} />
            <Route path="/order" component={OrderPage} />
            <Route path="/attention" component={AttentionPage} />
            <Route path="/rules" component={RulesPage} />
            <Route path="/coverage" component={CoveragePage} />
            <Route path="/queue" component={QueuePage} />
            <Route>
              <Redirect to="/orders" replace />
            </Route>
          </Switch>
        </Layout>
      )}
    </SessionContext.Provider>
  )
}

export const App = () => (
  <Router base="/console">
    <Switch>
      <Route path="/link" component={LinkPage} />
      <Route>
        <Signed />
      </Route>
    </Switch>
  </Router>
)
