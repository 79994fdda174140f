// Small building blocks shared by the pages.
import type { ComponentChildren } from "preact"
import { useEffect } from "preact/hooks"
import { ApiError } from "../api.ts"
import { pretty } from "../format.ts"

export const Page = (props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) => {
  useEffect(() => {
    document.title = `${props.title} · s2s console`
  }, [props.title])
  return (
    <>
      <div class="page-head">
        <h1>{props.title}</h1>
        {props.actions}
      </div>
      {props.children}
    </>
  )
}

export const Loading = (props: { what?: string }) => (
  <p class="muted" role="status">
    Loading{props.what === undefined ? "" : ` ${props.what}`}…
  </p>
)

export const ErrorNote = (props: { error: Error | undefined }) =>
  props.error === undefined ? null : (
    <div class="note note-error" role="alert">
      {props.error instanceof ApiError ? (
        <>
          <strong>{props.error.status === 403 ? "Not allowed" : "Error"}:</strong> {props.error.message}
        </>
      ) : (
        <>
          <strong>Error:</strong> {props.error.message}
        </>
      )}
    </div>
  )

const TONES: Record<string, string> = {
  succeeded: "ok",
  delivered: "ok",
  paid: "ok",
  accepted: "ok",
  sent: "ok",
  planned: "info",
  pending: "info",
  retrying: "warn",
  partial: "warn",
  skipped: "muted",
  ignored: "muted",
  none: "muted",
  failed: "bad",
  dead_lettered: "bad",
  held: "warn",
  rejected: "bad",
  normalization_failed: "bad",
  raised: "warn",
  revealed: "warn",
  requested: "info"
}

const toneOf = (value: string) =>
  TONES[value] ?? (/^HTTP 2/.test(value) ? "ok" : /^HTTP [45]/.test(value) || value === "error" ? "bad" : "plain")

export const Badge = (props: { value: string }) => (
  <span class={`badge badge-${toneOf(props.value)}`}>{props.value.replace(/_/g, " ")}</span>
)

// A scrollable region must be reachable by keyboard (WCAG 2.1.1), hence the tab stop and the name.
export const Code = (props: { text: string | undefined; label: string }) =>
  props.text === undefined || props.text === "" ? null : (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable content must take focus to scroll by keyboard
    <section class="code" aria-label={props.label} tabIndex={0}>
      <pre>{pretty(props.text)}</pre>
    </section>
  )

/** A label wrapping its control (passed as children), so the control is named by it. */
export const Field = (props: { label: string; children: ComponentChildren; hint?: string }) => (
  // biome-ignore lint/a11y/noLabelWithoutControl: the control is the children
  <label class="field">
    <span class="field-label">{props.label}</span>
    {props.children}
    {props.hint === undefined ? null : <span class="field-hint">{props.hint}</span>}
  </label>
)

export const Stat = (props: { label: string; value: string; detail?: string }) => (
  <div class="stat">
    <div class="stat-value">{props.value}</div>
    <div class="stat-label">{props.label}</div>
    {props.detail === undefined ? null : <div class="stat-detail">{props.detail}</div>}
  </div>
)

export const Empty = (props: { children: ComponentChildren }) => <p class="empty">{props.children}</p>
