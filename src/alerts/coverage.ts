// The daily coverage digest: per company and partner, how many paid orders carried the click id that
// partner needs and how many reached all their targets, naming the campaigns that lost the most click
// ids. An accuracy percentage says something is wrong; the campaign name says where to fix it.
import { Schema } from "effect"
import { AlertRaised } from "../events/alerts.js"
import type { CanonicalOrder } from "../events/CanonicalOrder.js"
import type { PartnerRule } from "../events/configSchema.js"
import { type Alert, NONE } from "./alert.js"
import { type Block, context, header, message, type SlackMessage, section } from "./blocks.js"
import { bold, code, count, percent, plain, scrubPersonalData } from "./mrkdwn.js"
import { clickIdKeys, GOOGLE_KEYS, hasAny, META_KEYS } from "./signals.js"

export interface CoverageRow {
  readonly company: string
  readonly partner?: string | undefined
  readonly campaign?: string | undefined
  /** The order carries a click id usable by its partner (gclid/gbraid/wbraid for Google, ...). */
  readonly hasClickId: boolean
  /** Delivered to every target it was routed to. */
  readonly delivered: boolean
}

/**
 * Does the order carry a click id its own partner can match on? The partner rule's click id keys
 * decide; a shop without rules still gets Google's and Meta's. A partner recognised by UTM values
 * alone (a newsletter) has no click id to carry, and counts as without.
 */
export const hasUsableClickId = (order: CanonicalOrder, partners: ReadonlyArray<PartnerRule>): boolean => {
  if (order.partner === undefined) return false
  const rule = partners.find((p) => p.id === order.partner)
  const keys = rule === undefined ? [] : clickIdKeys(rule)
  const fallback = order.partner === "google" ? GOOGLE_KEYS : order.partner === "meta" ? META_KEYS : []
  return hasAny(order.tracking, keys.length > 0 ? keys : fallback)
}

/** One paid order as a coverage row; `delivered`: every routed target confirmed it. */
export const coverageRowOf = (
  order: CanonicalOrder,
  delivered: boolean,
  partners: ReadonlyArray<PartnerRule>
): CoverageRow => ({
  company: order.company,
  partner: order.partner,
  campaign: order.tracking.utm.campaign,
  hasClickId: hasUsableClickId(order, partners),
  delivered
})

const CampaignMisses = Schema.Struct({ campaign: Schema.String, missing: Schema.Int })

export const PartnerCoverage = Schema.Struct({
  company: Schema.String,
  partner: Schema.String,
  paid: Schema.Int,
  withClickId: Schema.Int,
  delivered: Schema.Int,
  /** Campaigns with the most paid orders lacking a click id, most first. */
  worstCampaigns: Schema.Array(CampaignMisses)
})
export type PartnerCoverage = typeof PartnerCoverage.Type

export const CoverageReport = Schema.Struct({
  totals: Schema.Struct({ paid: Schema.Int, withClickId: Schema.Int, delivered: Schema.Int }),
  /** By company (A-Z), then partners by paid orders (most first). */
  partners: Schema.Array(PartnerCoverage),
  /** Across every company and partner. */
  worstCampaigns: Schema.Array(
    Schema.Struct({ company: Schema.String, partner: Schema.String, ...CampaignMisses.fields })
  )
})
export type CoverageReport = typeof CoverageReport.Type

export const WORST_PER_PARTNER = 3
export const WORST_OVERALL = 5

const nameOr = (value: string | undefined): string => (value === undefined || value.trim() === "" ? NONE : value.trim())
/** Campaign names are typed by people and sometimes carry a CRM's email merge field. */
const campaignOr = (value: string | undefined): string =>
  nameOr(value === undefined ? undefined : scrubPersonalData(value))

const byMissing = <T extends { readonly campaign: string; readonly missing: number }>(a: T, b: T) =>
  b.missing - a.missing || a.campaign.localeCompare(b.campaign)

export const coverageFrom = (rows: ReadonlyArray<CoverageRow>): CoverageReport => {
  const groups = new Map<string, { company: string; partner: string; rows: Array<CoverageRow> }>()
  for (const row of rows) {
    const company = row.company
    const partner = nameOr(row.partner)
    const key = JSON.stringify([company, partner])
    const group = groups.get(key) ?? { company, partner, rows: [] }
    group.rows.push(row)
    groups.set(key, group)
  }
  const partners = [...groups.values()].map((group): PartnerCoverage => {
    const misses = new Map<string, number>()
    for (const row of group.rows) {
      const campaign = campaignOr(row.campaign)
      if (!row.hasClickId) misses.set(campaign, (misses.get(campaign) ?? 0) + 1)
    }
    return {
      company: group.company,
      partner: group.partner,
      paid: group.rows.length,
      withClickId: group.rows.filter((r) => r.hasClickId).length,
      delivered: group.rows.filter((r) => r.delivered).length,
      worstCampaigns: [...misses].map(([campaign, missing]) => ({ campaign, missing })).sort(byMissing)
    }
  })
  partners.sort((a, b) => a.company.localeCompare(b.company) || b.paid - a.paid || a.partner.localeCompare(b.partner))
  return {
    totals: {
      paid: rows.length,
      withClickId: rows.filter((r) => r.hasClickId).length,
      delivered: rows.filter((r) => r.delivered).length
    },
    partners: partners.map((p) => ({ ...p, worstCampaigns: p.worstCampaigns.slice(0, WORST_PER_PARTNER) })),
    worstCampaigns: partners
      .flatMap((p) => p.worstCampaigns.map((c) => ({ company: p.company, partner: p.partner, ...c })))
      .sort((a, b) => byMissing(a, b) || a.company.localeCompare(b.company) || a.partner.localeCompare(b.partner))
      .slice(0, WORST_OVERALL)
  }
}

const campaignName = (campaign: string): string => (campaign === NONE ? "_no campaign_" : code(campaign, 80))

const partnerName = (partner: string): string => (partner === NONE ? "no partner" : plain(partner, 60))

const partnerLine = (p: PartnerCoverage): string => {
  const base =
    `• ${bold(p.partner === NONE ? "no partner recognised" : p.partner, 80)}: ${count(p.paid)} paid · ` +
    `*${percent(p.withClickId, p.paid)}* with a click id (${count(p.withClickId)}) · ` +
    `${percent(p.delivered, p.paid)} delivered`
  const worst = p.worstCampaigns.filter((c) => c.missing > 0)
  return worst.length === 0
    ? base
    : `${base}\n      missing click ids mostly from ${worst.map((c) => `${campaignName(c.campaign)} (${count(c.missing)})`).join(", ")}`
}

/** Slack caps a message at 50 blocks and a section at 3000 characters; big setups get "and N more". */
const MAX_COMPANIES = 20
const MAX_PARTNERS = 12

const companySections = (report: CoverageReport): ReadonlyArray<Block> => {
  const companies = [...new Set(report.partners.map((p) => p.company))]
  const blocks = companies.slice(0, MAX_COMPANIES).map((company) => {
    const partners = report.partners.filter((p) => p.company === company)
    const more = partners.length - MAX_PARTNERS
    return section(
      [
        bold(company, 80),
        ...partners.slice(0, MAX_PARTNERS).map(partnerLine),
        ...(more > 0 ? [`…and ${more} more partners`] : [])
      ].join("\n")
    )
  })
  const more = companies.length - MAX_COMPANIES
  return more > 0 ? [...blocks, context(`…and ${more} more companies`)] : blocks
}

export const coverageMessage = (report: CoverageReport, day: string): SlackMessage => {
  const { paid, withClickId, delivered } = report.totals
  const overall =
    `${count(paid)} paid orders · ${percent(withClickId, paid)} with a usable click id · ` +
    `${percent(delivered, paid)} delivered to all their targets`
  const worst = report.worstCampaigns.filter((c) => c.missing > 0)
  return message(`Tracking coverage ${plain(day, 20)}: ${overall}`, [
    header(`:bar_chart: Tracking coverage ${day}`),
    section(`*${overall}*`),
    ...(worst.length === 0
      ? []
      : [
          section(
            `:dart: *Campaigns losing the most click ids*\n${worst
              .map(
                (c) =>
                  `${campaignName(c.campaign)} (${plain(c.company, 60)} / ${partnerName(c.partner)}): ` +
                  `${count(c.missing)} ${c.missing === 1 ? "order" : "orders"}`
              )
              .join("\n")}`
          )
        ]),
    ...(paid === 0 ? [section("No paid orders in this period.")] : companySections(report)),
    context(
      "A usable click id is the one the partner matches on: gclid/gbraid/wbraid for Google, fbclid or the _fbc " +
        "cookie for Meta, the network's own id for affiliates. Delivered: accepted by every target the order was routed to."
    )
  ])
}

/** The digest as an alert, so sending it is recorded like any other; one per day. */
export const coverageDigestAlert = (report: CoverageReport, day: string): Alert =>
  AlertRaised.make({
    alertId: `coverage_digest:${day}`,
    problem: "coverage_digest",
    groupKey: `*|*|*|coverage_digest|${day}`,
    summary: `Tracking coverage ${day}: ${report.totals.paid} paid, ${report.totals.withClickId} with a click id, ${report.totals.delivered} delivered`,
    details: { day, report: Schema.encodeSync(CoverageReport)(report) }
  })
