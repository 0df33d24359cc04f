// Confidence (0–100) that a plan row and a platform campaign are the same thing and the data is current.
import { msOf } from './calendar.js';
import { round2 } from './money.js';
import { normaliseName, sameLabel, sameMarket, similarity } from './normalise.js';
import type { ConfidenceParts, PlanRow, PlatformCampaign } from './types.js';

export const METADATA_POINTS = 50;
export const NAME_POINTS = 30;
export const FRESHNESS_POINTS = 20;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export type FlightAgreement = 'same' | 'overlap' | 'disjoint' | 'unknown';

/** Same when both ends agree within a day; overlap when the ranges share a day; unknown when a date is missing. */
export function flightAgreement(row: PlanRow, campaign: PlatformCampaign): FlightAgreement {
  if (!campaign.startDate || !campaign.endDate) return 'unknown';
  const rs = msOf(row.startDate);
  const re = msOf(row.endDate);
  const cs = msOf(campaign.startDate);
  const ce = msOf(campaign.endDate);
  if ([rs, re, cs, ce].some(Number.isNaN)) return 'unknown';
  if (Math.abs(rs - cs) <= DAY_MS && Math.abs(re - ce) <= DAY_MS) return 'same';
  return rs <= ce && cs <= re ? 'overlap' : 'disjoint';
}

export function metadataScore(row: PlanRow, campaign: PlatformCampaign): number {
  const third = METADATA_POINTS / 3;
  const flight = flightAgreement(row, campaign);
  return (
    (sameMarket(row.market, campaign.market) ? third : 0) +
    (sameLabel(row.product, campaign.product) ? third : 0) +
    (flight === 'same' ? third : flight === 'overlap' ? third / 2 : 0)
  );
}

export function nameScore(planName: string, campaignName: string): number {
  return NAME_POINTS * similarity(normaliseName(planName), normaliseName(campaignName));
}

/** Age of the spend figure in hours at `now`; never negative. */
export function dataAgeHours(fetchedAt: string, now: string): number {
  return Math.max(0, (msOf(now) - msOf(fetchedAt)) / HOUR_MS);
}

/** Full up to `freshHours`, then linearly down to 0 at twice that (24 h with the default 12 h). */
export function freshnessScore(ageHours: number, freshHours: number): number {
  if (ageHours <= freshHours) return FRESHNESS_POINTS;
  const zeroAt = 2 * freshHours;
  if (ageHours >= zeroAt) return 0;
  return (FRESHNESS_POINTS * (zeroAt - ageHours)) / (zeroAt - freshHours);
}

/**
 * The total is the exact sum, rounded once; the parts are shown rounded too. The decision uses the total,
 * so 69.993 is below 70 even when its rounded parts add up to 70.00 (they may differ from it by 0.01).
 */
export function confidence(
  row: PlanRow,
  campaign: PlatformCampaign,
  now: string,
  freshHours: number,
): { total: number; parts: ConfidenceParts } {
  const metadata = metadataScore(row, campaign);
  const name = nameScore(row.campaignName, campaign.name);
  const freshness = freshnessScore(dataAgeHours(campaign.fetchedAt, now), freshHours);
  return {
    total: round2(metadata + name + freshness),
    parts: { metadata: round2(metadata), name: round2(name), freshness: round2(freshness) },
  };
}

export const NO_CONFIDENCE: { total: number; parts: ConfidenceParts } = {
  total: 0,
  parts: { metadata: 0, name: 0, freshness: 0 },
};
