// Amounts from payloads become integer minor units without ever passing through a float: "19.99" is
// split at the dot and scaled with BigInt. The exponent is the one the channels and views use to turn
// minor units back into decimals (src/lib/money.ts), so the two conversions always agree.

import { currencyDigits } from "../lib/money.js"

export { currencyDigits }

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
