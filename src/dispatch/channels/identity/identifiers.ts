// The hashed customer identifiers each platform receives, built from the canonical order's customer.
// One E.164 parse per order feeds both platforms; the platform differences are all here:
//
//   field   | Meta CAPI (user_data)                     | Google (Data Manager / Ads API)
//   --------+-------------------------------------------+------------------------------------------
//   email   | trim + lower case                         | lower case, whitespace removed, gmail/googlemail:
//           |                                           | dots and +suffix removed from the local part
//   phone   | E.164 digits without "+" (16505551212)    | E.164 with "+" (+16505551212)
//   names,  | fn, ln, ct, st, zp, country, external_id  | not sent (address matching needs all four of
//   address | (see normalize.ts for each rule)          | name, surname, region, postal code; not used)
//
// Every value is SHA-256 lower-case hex; a value that already is a digest passes through unchanged.
import type { Customer } from "../../../events/CanonicalOrder.js"
import {
  googleEmail,
  googlePhone,
  hashWith,
  metaCity,
  metaCountry,
  metaEmail,
  metaExternalId,
  metaName,
  metaPhone,
  metaState,
  metaZip,
  toE164
} from "./normalize.js"

/** The customer's country: the order's own (billing/shipping), else the source's market. */
export const customerCountry = (customer: Customer, market: string | undefined): string | undefined =>
  customer.country ?? market

/** Hashes a phone: digests pass through; otherwise E.164 in the customer's region, then the platform form. */
const hashPhone = (raw: string | undefined, region: string | undefined, form: (e164: string) => string) =>
  hashWith(raw, (value) => {
    const e164 = toE164(value, region)
    return e164 === undefined ? undefined : form(e164)
  })

export interface MetaHashedUserData {
  readonly em?: string
  readonly ph?: string
  readonly fn?: string
  readonly ln?: string
  readonly ct?: string
  readonly st?: string
  readonly zp?: string
  readonly country?: string
  readonly external_id?: string
}

/** Drops undefined members, so the result has only the identifiers that survived normalization. */
const defined = <T extends object>(record: T): { [K in keyof T]?: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>
  }

export const metaUserData = (customer: Customer, market: string | undefined): MetaHashedUserData => {
  const country = customerCountry(customer, market)
  return defined({
    em: hashWith(customer.email, metaEmail),
    ph: hashPhone(customer.phone, country, metaPhone),
    fn: hashWith(customer.firstName, metaName),
    ln: hashWith(customer.lastName, metaName),
    ct: hashWith(customer.city, metaCity),
    st: hashWith(customer.region, (v) => metaState(v, country)),
    zp: hashWith(customer.zip, (v) => metaZip(v, country)),
    country: hashWith(country, metaCountry),
    external_id: hashWith(customer.externalId, metaExternalId)
  })
}

export interface GoogleHashedIdentifiers {
  readonly email?: string
  readonly phone?: string
}

export const googleIdentifiers = (customer: Customer, market: string | undefined): GoogleHashedIdentifiers => {
  const country = customerCountry(customer, market)
  return defined({
    email: hashWith(customer.email, googleEmail),
    phone: hashPhone(customer.phone, country, googlePhone)
  })
}
