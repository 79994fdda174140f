// Minor units as a decimal string at the currency's ISO 4217 exponent (EUR 2, JPY 0, KWD 3), exact:
// integer arithmetic on the digits, never a float.
const digitsCache = new Map<string, number>()

const currencyDigits = (currency: string): number => {
  const cached = digitsCache.get(currency)
  if (cached !== undefined) return cached
  let digits = 2
  try {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    // An unknown code keeps the common exponent.
  }
  digitsCache.set(currency, digits)
  return digits
}

/** 6326 EUR -> "63.26", -5 EUR -> "-0.05", 1200 JPY -> "1200". */
export const amountText = (amountMinor: number, currency: string): string => {
  const digits = currencyDigits(currency)
  const sign = amountMinor < 0 ? "-" : ""
  const text = String(Math.abs(amountMinor))
  if (digits === 0) return `${sign}${text}`
  const padded = text.padStart(digits + 1, "0")
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`
}
