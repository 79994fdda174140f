// One order, for a signed-in user: the detail, re-dispatch per target (operate, dry run first), the
// routing explanation, and for admins the deliberate reveal of personal data (with a reason, recorded
// as an event before anything is shown).
import { useState } from "preact/hooks"
import { Link, useSearch } from "wouter-preact"
import type { OrderDetail } from "../../src/console/api/schemas.ts"
import { get, post } from "../api.ts"
import { Dialog } from "../components/Dialog.tsx"
import { Operation } from "../components/Operation.tsx"
import { OrderDetailView } from "../components/OrderDetail.tsx"
import { ErrorNote, Field, Loading, Page } from "../components/ui.tsx"
import { useApi } from "../hooks.ts"
import { may, useSession } from "../session.ts"

const Reveal = (props: { orderKey: string; onRevealed: (detail: OrderDetail) => void }) => {
  const { session } = useSession()
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState("")
  const [error, setError] = useState<Error | undefined>(undefined)
  const submit = async (e: Event) => {
    e.preventDefault()
    setError(undefined)
    try {
      props.onRevealed(await post<OrderDetail>("/order/reveal", { orderKey: props.orderKey, reason }))
      setOpen(false)
    } catch (err) {
      setError(err as Error)
    }
  }
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        title={may(session, "admin") ? undefined : `needs a token with scope admin (you: ${session?.scope})`}
      >
        Reveal personal data…
      </button>
      {!open ? null : (
        <Dialog title="Reveal personal data" onClose={() => setOpen(false)}>
          <form onSubmit={(e) => void submit(e)}>
            <p>
              The customer's data will be shown in clear. The reveal is recorded in the order's log with your token and
              the reason.
            </p>
            <Field label="Reason">
              <input
                required
                minLength={3}
                maxLength={300}
                value={reason}
                onInput={(e) => setReason((e.target as HTMLInputElement).value)}
              />
            </Field>
            <ErrorNote error={error} />
            <div class="dialog-actions">
              <button type="submit" class="button-primary">
                Reveal and record
              </button>
              <button type="button" onClick={() => setOpen(false)}>
                Cancel
              </button>
            </div>
          </form>
        </Dialog>
      )}
    </>
  )
}

export const OrderPage = () => {
  const key = new URLSearchParams(useSearch()).get("key") ?? ""
  const loaded = useApi(() => get<OrderDetail>("/order", { orderKey: key }), [key])
  const [revealed, setRevealed] = useState<OrderDetail | undefined>(undefined)
  const detail = revealed?.view.orderKey === key ? revealed : loaded.data
  return (
    <Page
      title={`Order ${key}`}
      actions={
        <div class="actions">
          <Link href={`/rules?orderKey=${encodeURIComponent(key)}`}>Explain routing</Link>
          {detail === undefined || detail.revealed ? null : <Reveal orderKey={key} onRevealed={setRevealed} />}
        </div>
      }
    >
      <ErrorNote error={loaded.error} />
      {detail?.revealed ? (
        <div class="note note-warn" role="status">
          Personal data is shown in clear. This reveal was recorded in the order's log with your token.
        </div>
      ) : null}
      {detail === undefined ? (
        loaded.loading ? (
          <Loading what="the order" />
        ) : null
      ) : (
        <OrderDetailView
          detail={detail}
          targetAction={(t) => (
            <Operation
              kind="redispatch"
              label="Re-dispatch…"
              body={{ orderKeys: [key], target: t.targetId, kind: t.kind, reason: "re-dispatch from the console" }}
              onDone={() => {
                setRevealed(undefined)
                loaded.reload()
              }}
            />
          )}
        />
      )}
    </Page>
  )
}
