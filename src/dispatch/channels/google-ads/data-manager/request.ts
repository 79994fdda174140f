// Builds the IngestEventsRequest for one order. One event per request: the Data Manager API fails a
// whole request on one invalid event and reports asynchronous outcomes only as per-request counts, so
// one event per request keeps each order's fate its own.
import type { GoogleAdsTarget } from "../../../../config/schema.js"
import type { ConsentChoice, GoogleConversion, GoogleMatch } from "../plan.js"
import type { DmConsentStatus, DmUserIdentifier, IngestEventsRequest } from "./wire.js"

const CONSENT: Record<ConsentChoice, DmConsentStatus> = {
  granted: "CONSENT_GRANTED",
  denied: "CONSENT_DENIED",
  unspecified: "CONSENT_STATUS_UNSPECIFIED"
}

/** RFC 3339 in UTC, whole seconds. */
export const rfc3339 = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z")

export const buildIngestRequest = (
  target: GoogleAdsTarget,
  conversion: GoogleConversion,
  match: GoogleMatch
): IngestEventsRequest => {
  const identifiers: Array<DmUserIdentifier> = [
    ...(match.identifiers.email === undefined ? [] : [{ emailAddress: match.identifiers.email }]),
    ...(match.identifiers.phone === undefined ? [] : [{ phoneNumber: match.identifiers.phone }])
  ]
  const click = match.click
  return {
    destinations: [
      {
        operatingAccount: { accountType: "GOOGLE_ADS", accountId: target.customerId },
        // A manager account that the credential reaches the operating account through.
        ...(target.loginCustomerId === undefined
          ? {}
          : { loginAccount: { accountType: "GOOGLE_ADS", accountId: target.loginCustomerId } }),
        productDestinationId: target.conversionActionId
      }
    ],
    events: [
      {
        transactionId: conversion.transactionId,
        eventTimestamp: rfc3339(conversion.conversionTime),
        eventSource: "WEB",
        conversionValue: conversion.value,
        currency: conversion.currency,
        ...(click === undefined
          ? {}
          : {
              adIdentifiers:
                click.kind === "gclid"
                  ? { gclid: click.value }
                  : click.kind === "gbraid"
                    ? { gbraid: click.value }
                    : { wbraid: click.value }
            }),
        ...(identifiers.length === 0 ? {} : { userData: { userIdentifiers: identifiers } }),
        consent: {
          adUserData: CONSENT[match.consent.adUserData],
          adPersonalization: CONSENT[match.consent.adPersonalization]
        }
      }
    ],
    ...(identifiers.length === 0 ? {} : { encoding: "HEX" as const }),
    ...(target.validateOnly === true ? { validateOnly: true } : {})
  }
}
