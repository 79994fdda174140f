import { describe, expect, it } from "vitest"
import { consentFromText, marketingOptIn, mergeConsent } from "../../src/normalize/consent.js"

describe("consentFromText", () => {
  it.each([
    [
      "ad_storage=granted;analytics_storage=granted;ad_user_data=granted;ad_personalization=denied",
      "granted",
      "denied"
    ],
    ["ad_user_data:denied,ad_personalization:granted", "denied", "granted"],
    ['{"ad_user_data":"granted","ad_personalization":"granted"}', "granted", "granted"],
    ["ad_storage=denied;analytics_storage=granted", "denied", "denied"],
    ["{stamp:'abc',necessary:true,preferences:true,statistics:false,marketing:true}", "granted", "granted"],
    ["{necessary:true,marketing:false}", "denied", "denied"],
    ["granted", "granted", "granted"],
    ["denied", "denied", "denied"],
    ["true", "granted", "granted"],
    ["0", "denied", "denied"],
    ["Yes", "granted", "granted"],
    ['"no"', "denied", "denied"],
    ["marketing=granted;ad_personalization=denied", "granted", "denied"]
  ])("%s -> %s / %s", (text, adUserData, adPersonalization) => {
    expect(consentFromText(text, "attribute:consent")).toEqual({
      adUserData,
      adPersonalization,
      source: "attribute:consent"
    })
  })

  it.each([["maybe"], [""], ["analytics_storage=granted"], ["C0001,C0002"]])("%j says nothing", (text) => {
    expect(consentFromText(text, "attribute:consent")).toEqual({})
  })
})

describe("marketing opt-ins and merging", () => {
  it("an opt-in grants, its absence says nothing", () => {
    expect(marketingOptIn(true, "shopify:accepts_marketing")).toEqual({
      adUserData: "granted",
      adPersonalization: "granted",
      source: "shopify:accepts_marketing"
    })
    expect(marketingOptIn(false, "shopify:accepts_marketing")).toEqual({})
  })

  it("a recognised attribute replaces the platform's signal as a whole", () => {
    const platform = marketingOptIn(true, "shopify:email_marketing_consent")
    const attribute = consentFromText("ad_user_data=denied", "attribute:consent")
    // The attribute is the shop's consent snapshot: what it leaves out stays unknown, not the opt-in's grant.
    expect(mergeConsent(platform, attribute)).toEqual({ adUserData: "denied", source: "attribute:consent" })
    expect(mergeConsent(platform, {})).toBe(platform)
    expect(mergeConsent(undefined, undefined)).toEqual({})
  })
})
