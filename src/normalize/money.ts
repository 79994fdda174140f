// Amounts from payloads become integer minor units without ever passing through a float: "19.99" is
// split at the dot and scaled with BigInt. The exponent comes from Intl (CLDR), exactly as the channels
// compute it when they turn minor units back into decimals (src/dispatch/channels/identity/money.ts),
// so the two conversions always agree. CLDR differs from ISO 4217 for a few currencies (HUF, IDR, COP:
// 0 instead of 2 digits); what matters is that both directions use the same table.

const digitsCache = new Map<string, number>()

/** Digits after the decimal point: EUR 2, JPY 0, KWD 3. */
export const currencyDigits = (currency: string): number => {
  const cached = digitsCache.get(currency)
  if (cached !== undefined) return cached
  let digits = 2
  try {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    // A well-formed but unknown code keeps the common exponent.
  }
  digitsCache.set(currency, digits)
  return digits
}

/** "eur" -> "EUR"; undefined for anything that is not three letters. */
export const currencyCode = (raw: unknown): string | undefined => {
  if (typeof raw !== "string") return undefined
  const code = raw.trim().toUpperCase()
  return /^[A-Z]{3}$/.test(code) ? code : undefined
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d*))?$/

/**
 * A decimal amount in major units ("19.99", "1500", "0.5", or a JSON number such as WooCommerce's
 * 14.950000000000001) -> minor units. Digits beyond the currency's exponent are rounded half away from
 * zero, because platforms compute unit prices by division and send the float. undefined: not a decimal.
 */
export const decimalToMinor = (amount: string | number, currency: string): number | undefined => {
  const raw = typeof amount === "number" ? numberText(amount) : amount.trim()
  if (raw === undefined) return undefined
  const match = DECIMAL.exec(raw)
  if (!match) return undefined
  const negative = match[1] === "-"
  const digits = currencyDigits(currency)
  const fraction = match[3] ?? ""
  const kept = fraction.slice(0, digits).padEnd(digits, "0")
  let minor = BigInt(match[2] ?? "0") * 10n ** BigInt(digits) + BigInt(kept === "" ? "0" : kept)
  if ((fraction[digits] ?? "0") >= "5") minor += 1n
  const value = Number(negative ? -minor : minor)
  return Number.isSafeInteger(value) ? value : undefined
}

// Shortest round-trip text of a JSON number; exponent forms (1e-7, 1e+21) are written out first.
const numberText = (n: number): string | undefined => {
  if (!Number.isFinite(n)) return undefined
  const shortest = String(n)
  return /e/i.test(shortest) ? n.toFixed(20).replace(/\.?0+$/, "") : shortest
}

/** "65215" (Paddle) -> 65215; undefined unless an integer that fits. */
export const minorText = (amount: string): number | undefined => {
  if (!/^-?\d+$/.test(amount.trim())) return undefined
  const value = Number(amount)
  return Number.isSafeInteger(value) ? value : undefined
}

/** Minor units at one exponent -> minor units at another (Stripe's ISK/HUF amounts have 2 digits). */
export const rescaleMinor = (amount: number, fromDigits: number, toDigits: number): number => {
  if (fromDigits === toDigits) return amount
  if (toDigits > fromDigits) return amount * 10 ** (toDigits - fromDigits)
  const divisor = 10 ** (fromDigits - toDigits)
  const quotient = Math.trunc(amount / divisor)
  const remainder = Math.abs(amount % divisor)
  return remainder * 2 >= divisor ? quotient + Math.sign(amount) : quotient
}
