// An order opened from a Slack alert: a signed, expiring link, no log-in, read only, personal data
// masked. The link's parameters go to the API as they came.
import { useSearch } from "wouter-preact"
import type { LinkedOrder } from "../../src/console/api/schemas.ts"
import { get } from "../api.ts"
import { OrderDetailView } from "../components/OrderDetail.tsx"
import { ErrorNote, Loading, Page } from "../components/ui.tsx"
import { dateTime } from "../format.ts"
import { useApi } from "../hooks.ts"

export const LinkPage = () => {
  const params = new URLSearchParams(useSearch())
  const order = params.get("order") ?? ""
  const loaded = useApi(
    () => get<LinkedOrder>("/link", { order, exp: params.get("exp") ?? "", sig: params.get("sig") ?? "" }),
    [useSearch()]
  )
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">s2s console</span>
        <a href="/console/orders">Log in for more</a>
      </header>
      <main id="main">
        <Page title={`Order ${order}`}>
          <ErrorNote error={loaded.error} />
          {loaded.data === undefined ? (
            loaded.loading ? (
              <Loading what="the order" />
            ) : null
          ) : (
            <>
              <div class="note note-info" role="status">
                Read-only view from a signed link, personal data masked. The link is valid until{" "}
                {dateTime(loaded.data.expiresAt)}.
              </div>
              <OrderDetailView detail={loaded.data.order} />
            </>
          )}
        </Page>
      </main>
    </>
  )
}
