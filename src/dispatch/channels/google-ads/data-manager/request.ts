// Builds the IngestEventsRequest for one order, or for a batch of up to 2,000 orders of one target.
// The Data Manager API fails a whole request on one invalid event (fast-fail, no partial failure), so
// the sender splits a refused batch until the event it refuses is alone (send.ts, ../../batch.ts).
import type { GoogleAdsTarget } from "../../../../events/configSchema.js"
import type { ConsentChoice, GoogleConversion, GoogleMatch } from "../plan.js"
import type { DmConsentStatus, DmEvent, DmUserIdentifier, IngestEventsRequest } from "./wire.js"

const CONSENT: Record<ConsentChoice, DmConsentStatus> = {
  granted: "CONSENT_GRANTED",
  denied: "CONSENT_DENIED",
  unspecified: "CONSENT_STATUS_UNSPECIFIED"
}

/** RFC 3339 in UTC, whole seconds. */
export const rfc3339 = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z")

/** Google takes at most 2,000 events per events:ingest request. */
export const DM_MAX_EVENTS = 2000

export interface DmItem {
  readonly conversion: GoogleConversion
  readonly match: GoogleMatch
}

const identifiersOf = (match: GoogleMatch): Array<DmUserIdentifier> => [
  ...(match.identifiers.email === undefined ? [] : [{ emailAddress: match.identifiers.email }]),
  ...(match.identifiers.phone === undefined ? [] : [{ phoneNumber: match.identifiers.phone }])
]

const dmEvent = ({ conversion, match }: DmItem): DmEvent => {
  const identifiers = identifiersOf(match)
  const click = match.click
  return {
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
}

/** One request for the events of one target (at most DM_MAX_EVENTS: the caller chunks). */
export const buildIngestBatch = (target: GoogleAdsTarget, items: ReadonlyArray<DmItem>): IngestEventsRequest => ({
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
  events: items.map(dmEvent),
  ...(items.some((item) => identifiersOf(item.match).length > 0) ? { encoding: "HEX" as const } : {}),
  ...(target.validateOnly === true ? { validateOnly: true } : {})
})

export const buildIngestRequest = (
  target: GoogleAdsTarget,
  conversion: GoogleConversion,
  match: GoogleMatch
): IngestEventsRequest => buildIngestBatch(target, [{ conversion, match }])
