// Rule-based root cause: which signals explain an anomaly, each with the evidence that supports it.
import { dataAgeHours, flightAgreement } from './confidence.js';
import { dailyTrend } from './forecast.js';
import type { Unmatched } from './match.js';
import { formatMoney, formatPct, round2 } from './money.js';
import { sameLabel, sameMarket } from './normalise.js';
import {
  type Cause,
  type Forecast,
  PLATFORM_NAME,
  type PlanRow,
  type PlatformCampaign,
  type SpendObservation,
} from './types.js';

const DAY_MS = 86_400_000;
/** Below this name similarity a match is worth questioning. */
const WEAK_NAME = 0.8;
/** Platform flight budget this far from plan (as a fraction) is worth naming. */
const BUDGET_GAP = 0.1;

export interface Signals {
  row: PlanRow | null;
  campaign: PlatformCampaign | null;
  now: string;
  freshHours: number;
  nameSimilarity: number | null;
  variancePct: number | null;
  zeroDelivery: boolean;
  unmatched: Unmatched | null;
  /** Earlier observations of this campaign's spend, oldest first. */
  history: readonly SpendObservation[];
  platformError: string | null;
  /** Where the flight ends at this rate, when the row has a budget. */
  forecast?: Forecast | null;
}

export function diagnose(s: Signals): Cause[] {
  const { row, campaign } = s;
  if (s.platformError !== null) {
    return [
      {
        code: 'platform_unavailable',
        message: `Platform data unavailable: ${s.platformError}`,
        evidence: { error: s.platformError },
      },
    ];
  }
  if (row && s.unmatched) return unmatchedCauses(row, s.unmatched);
  if (!campaign) return [];
  if (!row) {
    return [
      {
        code: 'orphan_spend',
        message: `"${campaign.name}" spent ${formatMoney(campaign.spend, campaign.currency)} with no row in the tracker.`,
        evidence: {
          platformCampaignId: campaign.id,
          name: campaign.name,
          spend: round2(campaign.spend),
          status: campaign.status,
        },
      },
    ];
  }
  if (row.currency && campaign.currency && row.currency !== campaign.currency) {
    return [
      {
        code: 'currency_mismatch',
        message: `The plan is in ${row.currency}, the platform reports ${campaign.currency}.`,
        evidence: {
          planCurrency: row.currency,
          platformCurrency: campaign.currency,
          targetSpend: row.targetSpend,
          actualSpend: campaign.spend,
        },
      },
    ];
  }
  if (row.targetSpend === 0) {
    return [
      {
        code: 'zero_plan_spend',
        message: `Spent ${formatMoney(campaign.spend, campaign.currency ?? row.currency)} against a target of 0.`,
        evidence: { targetSpend: 0, actualSpend: round2(campaign.spend) },
      },
    ];
  }
  return [...matchCauses(row, campaign, s), ...deliveryCauses(row, campaign, s)];
}

function unmatchedCauses(row: PlanRow, u: Unmatched): Cause[] {
  if (u.reason === 'pinned_id_not_listed') {
    return [
      {
        code: 'unmatched_pinned_id',
        message: `Tracker line ${row.line} pins ${PLATFORM_NAME[row.platform]} campaign ${row.platformCampaignId}, which the platform does not list.`,
        evidence: { line: row.line, platformCampaignId: row.platformCampaignId },
      },
    ];
  }
  const closest = u.closest;
  return [
    {
      code: 'unmatched_no_similar_name',
      message: closest
        ? `No ${PLATFORM_NAME[row.platform]} campaign is named like "${row.campaignName}"; the closest, "${closest.name}", is only ${round2(closest.similarity * 100)}% similar (50% needed).`
        : `No unclaimed ${PLATFORM_NAME[row.platform]} campaign is left to match "${row.campaignName}".`,
      evidence: {
        line: row.line,
        planName: row.campaignName,
        closestId: closest?.id ?? null,
        closestName: closest?.name ?? null,
        closestSimilarity: closest ? round2(closest.similarity) : null,
      },
    },
  ];
}

/** Signals that the match itself, or the data behind it, may be wrong. */
function matchCauses(row: PlanRow, c: PlatformCampaign, s: Signals): Cause[] {
  const causes: Cause[] = [];
  if (s.nameSimilarity !== null && s.nameSimilarity < WEAK_NAME) {
    causes.push({
      code: 'name_mismatch',
      message: `Plan name "${row.campaignName}" and platform name "${c.name}" are only ${round2(s.nameSimilarity * 100)}% similar.`,
      evidence: { planName: row.campaignName, platformName: c.name, similarity: round2(s.nameSimilarity) },
    });
  }
  if (!sameMarket(row.market, c.market)) {
    causes.push({
      code: 'market_mismatch',
      message: `Market differs: plan ${row.market}, platform ${c.market ?? 'unknown'}.`,
      evidence: { planMarket: row.market, platformMarket: c.market },
    });
  }
  if (!sameLabel(row.product, c.product)) {
    causes.push({
      code: 'product_mismatch',
      message: `Product differs: plan ${row.product}, platform ${c.product ?? 'unknown'}.`,
      evidence: { planProduct: row.product, platformProduct: c.product },
    });
  }
  if (flightAgreement(row, c) !== 'same') {
    causes.push({
      code: 'flight_dates_differ',
      message: `Flight differs: plan ${row.startDate}…${row.endDate}, platform ${c.startDate ?? '?'}…${c.endDate ?? '?'}.`,
      evidence: { planStart: row.startDate, planEnd: row.endDate, platformStart: c.startDate, platformEnd: c.endDate },
    });
  }
  const age = dataAgeHours(c.fetchedAt, s.now);
  if (age > s.freshHours) {
    causes.push({
      code: 'stale_data',
      message: `Spend data is ${round2(age)} h old (fresh is ≤ ${s.freshHours} h): actual spend may be higher now.`,
      evidence: { fetchedAt: c.fetchedAt, ageHours: round2(age), freshHours: s.freshHours },
    });
  }
  return causes;
}

/** Signals that explain why delivery is off plan. */
function deliveryCauses(row: PlanRow, c: PlatformCampaign, s: Signals): Cause[] {
  const causes: Cause[] = [];
  const under = s.zeroDelivery || (s.variancePct !== null && s.variancePct < 0);
  const today = s.now.slice(0, 10);
  const cur = currencyOf(row, c);
  const evidence = { targetSpend: row.targetSpend, actualSpend: round2(c.spend), variancePct: s.variancePct };
  if (c.status === 'PAUSED' && under) {
    causes.push({
      code: 'campaign_paused',
      message: 'The campaign is paused on the platform, so it cannot deliver.',
      evidence: { status: c.status, ...evidence },
    });
  }
  const end = c.endDate ?? row.endDate;
  const start = c.startDate ?? row.startDate;
  if (under && end < today) {
    causes.push({
      code: 'flight_ended',
      message: `The flight ended on ${end}, before the plan's spend was reached.`,
      evidence: { endDate: end, today, ...evidence },
    });
  }
  if (under && start > today) {
    causes.push({
      code: 'flight_not_started',
      message: `The platform flight starts on ${start}, after today.`,
      evidence: { startDate: start, today, ...evidence },
    });
  }
  const budget = budgetGap(row, c, s.forecast ?? null);
  if (budget) causes.push(budget);
  const trend = spendTrend(row, c, s);
  if (trend) causes.push(trend);
  const explained = causes.length > 0;
  const f = s.forecast ?? null;
  // Where the flight ends at this rate, and the daily budget that lands it (not for a campaign that does not
  // deliver at all: a budget is not its problem). A budget gap that already names that figure says it once.
  const forecastCause =
    f && !s.zeroDelivery && f.daysLeft > 0 && Math.abs(f.projectedVariancePct) >= FORECAST_MISS_PCT
      ? forecastMiss(row, c, f)
      : null;
  const budgetSaysIt = causes.some((x) => x.code === 'budget_differs' && x.evidence.recommendedDailyBudget !== null);
  if (s.zeroDelivery && !explained) {
    causes.push({
      code: 'no_delivery',
      message: 'The campaign is enabled and inside its flight but spent nothing.',
      evidence: { status: c.status, ...evidence },
    });
  } else if (forecastCause && !budgetSaysIt) {
    causes.push(forecastCause);
  } else if (!explained && s.variancePct !== null) {
    const toLand =
      f && f.daysLeft > 0 ? { recommendedDailyBudget: f.recommendedDailyBudget, daysLeft: f.daysLeft } : {};
    causes.push({
      code: s.variancePct > 0 ? 'over_pacing' : 'under_pacing',
      message: `Spent ${formatMoney(c.spend, cur)} against ${formatMoney(row.targetSpend, cur)} planned to date (${formatPct(s.variancePct)}).`,
      evidence: { ...evidence, ...toLand },
    });
  }
  return causes;
}

/** The currency a matched row's amounts are in: the plan's, else the platform's (they differ only when escalated). */
const currencyOf = (row: PlanRow, c: PlatformCampaign): string | null => row.currency ?? c.currency;

function flightDays(start: string, end: string): number {
  return Math.round((Date.parse(end) - Date.parse(start)) / DAY_MS) + 1;
}

/** A forecast this far (in %) from the budget is named as a cause, with the daily budget that fixes it. */
const FORECAST_MISS_PCT = 10;

function forecastMiss(row: PlanRow, c: PlatformCampaign, f: Forecast): Cause {
  const cur = currencyOf(row, c);
  return {
    code: 'forecast_miss',
    message: `At this rate (${formatMoney(f.dailyRunRate, cur)} a day) it ends at ${formatMoney(f.projectedSpend, cur)} against a budget of ${formatMoney(f.budget, cur)} (${formatPct(f.projectedVariancePct)}) on ${row.endDate}.`,
    evidence: {
      dailyRunRate: f.dailyRunRate,
      projectedSpend: f.projectedSpend,
      budget: f.budget,
      projectedVariancePct: f.projectedVariancePct,
      daysLeft: f.daysLeft,
      recommendedDailyBudget: f.recommendedDailyBudget,
      endDate: row.endDate,
      basis: f.basis,
    },
  };
}

function budgetGap(row: PlanRow, c: PlatformCampaign, f: Forecast | null): Cause | null {
  if (row.budget === null || c.dailyBudget === null || row.budget <= 0) return null;
  const days = flightDays(row.startDate, row.endDate);
  if (!(days > 0)) return null;
  const cur = currencyOf(row, c);
  const implied = round2(c.dailyBudget * days);
  const gap = (implied - row.budget) / row.budget;
  if (Math.abs(gap) < BUDGET_GAP) return null;
  return {
    code: 'budget_differs',
    message: `Platform daily budget ${formatMoney(c.dailyBudget, cur)} × ${days} days = ${formatMoney(implied, cur)}, but the plan's budget is ${formatMoney(row.budget, cur)} (${formatPct(round2(gap * 100))}).`,
    evidence: {
      dailyBudget: c.dailyBudget,
      flightDays: days,
      impliedBudget: implied,
      planBudget: row.budget,
      plannedDailyBudget: round2(row.budget / days),
      // What is left of the budget over the days left: the figure that lands the flight, overspend included.
      recommendedDailyBudget: f && f.daysLeft > 0 ? f.recommendedDailyBudget : null,
    },
  };
}

/**
 * Yesterday against the week before, from the daily series (SPEC); without a series, the spend since the last
 * observation against the plan's daily rate.
 */
function spendTrend(row: PlanRow, c: PlatformCampaign, s: Signals): Cause | null {
  const cur = currencyOf(row, c);
  if (c.spendByDay) {
    const t = dailyTrend(
      c.spendByDay,
      { startDate: row.startDate, endDate: row.endDate, timeZone: c.timeZone ?? null },
      s.now,
    );
    if (!t) return null;
    const evidence = { day: t.yesterday, spend: t.spend, meanOfWeekBefore: t.mean };
    return t.kind === 'spike'
      ? {
          code: 'spend_spike',
          message: `Spent ${formatMoney(t.spend, cur)} on ${t.yesterday}, ${round2(t.spend / t.mean)}× the mean of the 7 days before (${formatMoney(t.mean, cur)}).`,
          evidence: { ...evidence, since: t.yesterday },
        }
      : {
          code: 'spend_stall',
          message: `Spent ${formatMoney(t.spend, cur)} on ${t.yesterday} against a mean of ${formatMoney(t.mean, cur)} a day over the 7 days before.`,
          evidence,
        };
  }
  const last = s.history.at(-1);
  if (!last) return null;
  const hours = (Date.parse(s.now) - Date.parse(last.at)) / 3_600_000;
  const elapsedDays = (Date.parse(s.now) - Date.parse(row.startDate)) / DAY_MS;
  if (!(hours >= 1) || !(elapsedDays > 0)) return null;
  const plannedPerHour = (row.targetSpend ?? 0) / (elapsedDays * 24);
  const expected = plannedPerHour * hours;
  const delta = round2(c.spend - last.actualSpend);
  const evidence = {
    since: last.at,
    hours: round2(hours),
    spendThen: last.actualSpend,
    spendNow: round2(c.spend),
    delta,
    expectedDelta: round2(expected),
  };
  if (expected > 0 && delta > 2 * expected) {
    return {
      code: 'spend_spike',
      message: `Spent ${formatMoney(delta, cur)} in the last ${round2(hours)} h, over twice the planned ${formatMoney(expected, cur)}.`,
      evidence,
    };
  }
  if (delta <= 0 && hours >= 12 && c.status === 'ENABLED' && expected > 0) {
    return {
      code: 'spend_stall',
      message: `No new spend in ${round2(hours)} h although ${formatMoney(expected, cur)} was planned.`,
      evidence,
    };
  }
  return null;
}
