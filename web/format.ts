// How values read on screen: times in the viewer's zone with the UTC instant in a tooltip, counts with
// separators, shares rounded down (so 100% means all of them).
export const dateTime = (iso: string | null | undefined) => {
  if (iso === null || iso === undefined) return "–"
  const date = new Date(iso)
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" })
}

export const count = (n: number) => n.toLocaleString("en")

export const share = (part: number, whole: number) => {
  if (whole <= 0) return "–"
  const tenths = Math.floor((part * 1000) / whole)
  return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)}%`
}

export const ago = (iso: string | null | undefined, now = Date.now()) => {
  if (iso === null || iso === undefined) return "–"
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000))
  return seconds < 60
    ? `${seconds} s ago`
    : seconds < 3600
      ? `${Math.floor(seconds / 60)} min ago`
      : `${Math.floor(seconds / 3600)} h ago`
}

export const seconds = (s: number) =>
  s < 60 ? `${s.toFixed(s < 10 ? 1 : 0)} s` : s < 3600 ? `${Math.floor(s / 60)} min` : `${(s / 3600).toFixed(1)} h`

/** Pretty JSON when the text is JSON, else the text. */
export const pretty = (text: string | undefined) => {
  if (text === undefined) return ""
  const trimmed = text.trimStart()
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return text
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}
