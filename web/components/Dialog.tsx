// A modal dialog on the browser's own <dialog>: focus moves in and is kept there, Escape closes it,
// and focus returns to what opened it.
import type { ComponentChildren } from "preact"
import { useEffect, useRef } from "preact/hooks"

let counter = 0

export const Dialog = (props: { title: string; onClose: () => void; children: ComponentChildren }) => {
  const ref = useRef<HTMLDialogElement>(null)
  const id = useRef(`dialog-${++counter}`)
  useEffect(() => {
    const dialog = ref.current
    const opener = document.activeElement as HTMLElement | null
    dialog?.showModal()
    return () => {
      dialog?.close()
      opener?.focus()
    }
  }, [])
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={id.current}
      onCancel={(e) => {
        e.preventDefault()
        props.onClose()
      }}
    >
      <div class="dialog-head">
        <h2 id={id.current}>{props.title}</h2>
        <button type="button" class="button-quiet" onClick={props.onClose} aria-label="Close dialog">
          ✕
        </button>
      </div>
      <div class="dialog-body">{props.children}</div>
    </dialog>
  )
}
