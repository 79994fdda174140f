// Currency exponents and minor-unit arithmetic shared by every stage. The exponent comes from Intl
// (CLDR: EUR 2, JPY 0, KWD 3). CLDR differs from ISO 4217 for a few currencies (HUF, IDR, COP: 0
// instead of 2); what matters is that parsing (normalize) and formatting (channels, views) use the
// same table, and this is the one.
const digitsCache = new Map<string, number>()

/** Digits after the decimal point: EUR 2, JPY 0, KWD 3; an unknown code keeps the common 2. */
export const currencyDigits = (currency: string): number => {
  const cached = digitsCache.get(currency)
  if (cached !== undefined) return cached
  let digits = 2
  try {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    // A well-formed but unknown code keeps the common exponent; destinations validate codes themselves.
  }
  digitsCache.set(currency, digits)
  return digits
}

/** 4990 EUR -> 49.9 (a number, for APIs that want one); rounded at the exponent so float noise never leaves. */
export const majorUnits = (amountMinor: number, currency: string): number => {
  const digits = currencyDigits(currency)
  return Number((amountMinor / 10 ** digits).toFixed(digits))
}

/** 6326 EUR -> "63.26", -5 EUR -> "-0.05", 1200 JPY -> "1200": exact, integer arithmetic on the digits. */
export const amountText = (amountMinor: number, currency: string): string => {
  const digits = currencyDigits(currency)
  const sign = amountMinor < 0 ? "-" : ""
  const text = String(Math.abs(amountMinor))
  if (digits === 0) return `${sign}${text}`
  const padded = text.padStart(digits + 1, "0")
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`
}
