// An ad account's Graph answers (the account, its campaigns, its insights) read into campaigns and problems.
import type { SpendWindow } from '../../agent/ports.js';
import type { CampaignStatus, PlatformCampaign } from '../../domain/types.js';
import { PlatformError } from '../../errors.js';
import type { NamingConvention } from '../naming.js';
import { readInsights } from './insights.js';
import { isObject, str, unsafeId } from './json.js';
import { budgetFromMinor, microsToNumber } from './money.js';
import { dayIn, parseMetaTime, validTimeZone } from './time.js';

/** Campaign statuses (configured or effective) that take a campaign out of pacing altogether. */
export const SKIPPED_STATUSES = new Set(['DELETED', 'ARCHIVED']);

export interface AccountAnswers {
  /** `act_{id}?fields=currency,timezone_name`. */
  account: unknown;
  /** Every item of `act_{id}/campaigns`. */
  campaigns: unknown[];
  /** Every item of `act_{id}/insights?level=campaign`, per day with a window, lifetime without. */
  insights: unknown[];
}

export interface AccountRead {
  campaigns: PlatformCampaign[];
  errors: string[];
}

/**
 * The campaigns of ad account `act`, with spend over the window (or lifetime), and what could not be used. Throws
 * when Meta did not give the account's currency or time zone, without which no budget or day can be read.
 */
export function readAccountAnswers(
  act: string,
  answers: AccountAnswers,
  window: SpendWindow | undefined,
  deps: { clock: () => string; naming: NamingConvention },
): AccountRead {
  const { account, campaigns: rawCampaigns, insights: rawInsights } = answers;
  const currency = isObject(account) && typeof account.currency === 'string' ? account.currency.toUpperCase() : null;
  const timeZone = isObject(account) && typeof account.timezone_name === 'string' ? account.timezone_name : null;
  if (!currency || !/^[A-Z]{3}$/.test(currency)) {
    throw new PlatformError('meta', `Meta did not give ${act}'s currency (got ${JSON.stringify(currency)}).`, false);
  }
  if (!timeZone || !validTimeZone(timeZone)) {
    throw new PlatformError('meta', `Meta did not give ${act}'s time zone (got ${JSON.stringify(timeZone)}).`, false);
  }

  const errors: string[] = [];
  const fetchedAt = deps.clock();
  const { spend, unusableSpend, insightNames } = readInsights(act, rawInsights, window, errors);

  const campaigns: PlatformCampaign[] = [];
  const listed = new Set<string>();
  for (const raw of rawCampaigns) {
    if (isObject(raw) && unsafeId(raw.id)) {
      errors.push(
        `${act}: a campaign's id came as the JSON number ${raw.id}, too large to be exact (its last digits are lost), so the campaign was ignored.`,
      );
      continue;
    }
    const id = isObject(raw) ? str(raw.id) : null;
    if (!isObject(raw) || !id) {
      errors.push(`${act}: a campaign without an id was ignored.`);
      continue;
    }
    listed.add(id);
    const status = str(raw.status);
    const effective = str(raw.effective_status);
    if ((status && SKIPPED_STATUSES.has(status)) || (effective && SKIPPED_STATUSES.has(effective))) continue;
    if (unusableSpend.has(id)) continue;
    const name = str(raw.name) ?? insightNames.get(id) ?? '';
    if (name === '') {
      errors.push(`Meta campaign ${id} in ${act} has no name, so it is left out.`);
      continue;
    }
    const parts = deps.naming.parse(name);
    if (parts.problem) errors.push(`Meta campaign ${id} in ${act}: ${parts.problem}.`);
    const dates = flightDates(raw, timeZone, id, act, errors);
    let dailyBudget = budgetFromMinor(raw.daily_budget, currency);
    if (dailyBudget === undefined) {
      errors.push(
        `Meta campaign ${id} in ${act}: daily_budget ${JSON.stringify(raw.daily_budget)} is not an amount in minor units; budget left unknown.`,
      );
      dailyBudget = null;
    }
    let lifetimeBudget = budgetFromMinor(raw.lifetime_budget, currency);
    if (lifetimeBudget === undefined) {
      errors.push(
        `Meta campaign ${id} in ${act}: lifetime_budget ${JSON.stringify(raw.lifetime_budget)} is not an amount in minor units; budget left unknown.`,
      );
      lifetimeBudget = null;
    }
    const read = spend.get(id);
    campaigns.push({
      platform: 'meta',
      id,
      name,
      market: parts.market,
      product: parts.product,
      startDate: dates.start,
      endDate: dates.end,
      // No insights row means no delivery (over the window, or ever): spend 0.
      spend: microsToNumber(read?.total ?? 0n),
      status: mapStatus(status, effective),
      fetchedAt,
      account: `act_${act.replace(/^act_/, '')}`,
      timeZone,
      dailyBudget,
      lifetimeBudget,
      // Neither budget on the campaign: no Advantage campaign budget, the ad sets hold the budgets.
      adSetBudgets: !hasBudget(raw.daily_budget) && !hasBudget(raw.lifetime_budget),
      currency,
      ...(window ? { spendByDay: daysRecord(read?.days) } : {}),
    });
  }
  for (const [id, read] of spend) {
    if (!listed.has(id) && !unusableSpend.has(id) && read.total > 0n) {
      const name = insightNames.get(id);
      const when = window ? ` from ${window.since} to ${window.until}` : '';
      errors.push(
        `${act}: insights report spend ${microsToNumber(read.total)} ${currency}${when} for campaign ${id}${name ? ` ("${name}")` : ''}, which the campaigns list does not include (deleted or archived?).`,
      );
    }
  }
  return { campaigns, errors };
}

/** Start and end days in the account's time zone; the end is the day of the flight's last instant. */
function flightDates(
  raw: Record<string, unknown>,
  timeZone: string,
  id: string,
  act: string,
  errors: string[],
): { start: string | null; end: string | null } {
  const day = (field: 'start_time' | 'stop_time'): string | null => {
    const v = raw[field];
    if (v === undefined || v === null || v === '') return null;
    const ms = typeof v === 'string' ? parseMetaTime(v) : null;
    if (ms === null) {
      errors.push(`Meta campaign ${id} in ${act}: ${field} ${JSON.stringify(v)} is not a time; left unknown.`);
      return null;
    }
    // A flight stopping at 00:00 has its last delivery the day before.
    return dayIn(field === 'stop_time' ? ms - 1 : ms, timeZone);
  };
  return { start: day('start_time'), end: day('stop_time') };
}

/**
 * Meta's configured status (ACTIVE/PAUSED), falling back to effective_status: only PAUSED is paused. Any other
 * value, including one Meta adds later, counts as enabled: a campaign wrongly taken for "already paused" would
 * skip a pause it needs, whereas a needless pause attempt is harmless (and every pause is verified by reading back).
 */
export function mapStatus(status: string | null, effective: string | null): CampaignStatus {
  const s = status ?? effective;
  return s === 'PAUSED' ? 'PAUSED' : 'ENABLED';
}

/** Whether Meta set a budget field at all (left out, empty or "0" when the campaign does not hold one). */
function hasBudget(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== '0';
}

/** Per-day spend as numbers, days in order. */
function daysRecord(days: Map<string, bigint> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const day of [...(days?.keys() ?? [])].sort()) out[day] = microsToNumber(days?.get(day) ?? 0n);
  return out;
}
