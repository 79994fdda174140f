// Minor units -> the decimal number Meta (custom_data.value) and Google (conversionValue,
// conversion_value) expect. The exponent comes from ISO 4217 via Intl (EUR 2, JPY 0, KWD 3), so a
// currency is never assumed to have cents.
const digitsCache = new Map<string, number>()

export const currencyDigits = (currency: string): number => {
  const cached = digitsCache.get(currency)
  if (cached !== undefined) return cached
  let digits = 2
  try {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    // An unknown code keeps the common exponent; the destination validates the code itself.
  }
  digitsCache.set(currency, digits)
  return digits
}

/** 4990 EUR -> 49.9; rounded at the currency's exponent so float noise (0.1 + 0.2) never leaves. */
export const majorUnits = (amountMinor: number, currency: string): number => {
  const digits = currencyDigits(currency)
  return Number((amountMinor / 10 ** digits).toFixed(digits))
}
