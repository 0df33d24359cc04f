// GAQL rows read into campaigns: daily cost rows gathered per campaign and day, and one attributes row as a campaign.
import type { SpendWindow } from '../../agent/ports.js';
import type { PlatformCampaign } from '../../domain/types.js';
import type { NamingConvention } from '../naming.js';
import { type dateFields, formatCustomerId, type GoogleAdsRow } from './client.js';
import { datePart, isDay, microsToAmount, microsToMoney } from './convert.js';

/** Google says reported cost can lag real spend by up to about three hours. */
const REPORTING_LAG_HOURS = 3;
/** Before v23 an end date of 2037-12-30 meant "runs indefinitely" (campaign.proto, end_date). */
const OPEN_END_DATE = '2037-12-30';

/** One campaign's cost per day inside the window, in micros; or why its cost cannot be trusted. */
export type CampaignCost = { byDay: Map<string, bigint> } | { error: string };

/**
 * The segmented query's rows (campaign.id, segments.date, metrics.cost_micros) gathered per campaign and day,
 * in micros. A row that cannot be read spoils only its campaign's cost (the campaign is then skipped with the
 * reason), except a row without a campaign id, which is reported on its own.
 */
export function dailyCosts(
  rows: GoogleAdsRow[],
  window: SpendWindow,
  where: string,
): { byCampaign: Map<string, CampaignCost>; errors: string[]; fault: string | null } {
  const byCampaign = new Map<string, CampaignCost>();
  const errors: string[] = [];
  for (const row of rows) {
    const id = row.campaign?.id as unknown;
    if (typeof id === 'number' && !Number.isSafeInteger(id)) {
      // Which campaign spent cannot be told, and leaving the cost out would make its campaign look idle.
      return {
        byCampaign,
        errors,
        fault: `${where}: a cost row's campaign.id came as the JSON number ${id}, too large to be exact (its last digits are lost): the customer's spend cannot be attributed, so it is not used.`,
      };
    }
    if (typeof id !== 'string' || !/^\d+$/.test(id)) {
      errors.push(`${where}: a daily cost row without a valid campaign id was skipped.`);
      continue;
    }
    const entry = byCampaign.get(id) ?? { byDay: new Map<string, bigint>() };
    byCampaign.set(id, entry);
    if ('error' in entry) continue;
    const day = row.segments?.date;
    // Zero is the default of an int64, which JSON leaves out.
    const raw = row.metrics?.costMicros ?? '0';
    const spoil = (reason: string) => byCampaign.set(id, { error: reason });
    if (!isDay(day) || day < window.since || day > window.until) {
      spoil(`segments.date ${JSON.stringify(day ?? null)} is not a day from ${window.since} to ${window.until}`);
      continue;
    }
    if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim())) {
      spoil(`metrics.costMicros ${JSON.stringify(raw)} on ${day} is not a whole number of micros`);
      continue;
    }
    const micros = BigInt(raw.trim());
    if (micros < 0n) {
      spoil(`cost ${microsToMoney(micros)} on ${day} is negative`);
      continue;
    }
    // One row per campaign and day is what Google sends; should a day come twice, its costs add up.
    entry.byDay.set(day, (entry.byDay.get(day) ?? 0n) + micros);
  }
  return { byCampaign, errors, fault: null };
}

/**
 * One attributes row as a campaign. `costs` (with a window) holds each campaign's cost per day from the
 * segmented query; without it the row's own metrics.cost_micros is the lifetime cost.
 */
export function toCampaign(
  row: GoogleAdsRow,
  customerId: string,
  fetchedAt: string,
  costs: Map<string, CampaignCost> | null,
  read: { naming: NamingConvention; fields: ReturnType<typeof dateFields> },
): { campaign: PlatformCampaign; problem: string | null } | { error: string } {
  const c = row.campaign ?? {};
  const where = `Google Ads customer ${formatCustomerId(customerId)}`;
  if (typeof c.id === 'number' && !Number.isSafeInteger(c.id))
    return {
      error: `${where}: a campaign row's campaign.id came as the JSON number ${c.id}, too large to be exact (its last digits are lost); skipped.`,
    };
  if (typeof c.id !== 'string' || !/^\d+$/.test(c.id))
    return { error: `${where}: a campaign row without a valid id was skipped.` };
  if (c.status !== 'ENABLED' && c.status !== 'PAUSED') {
    return {
      error: `${where}, campaign ${c.id}: status ${JSON.stringify(c.status ?? null)} is neither ENABLED nor PAUSED; skipped.`,
    };
  }
  let spend: number | null;
  let spendByDay: Record<string, number> | undefined;
  if (costs) {
    const cost = costs.get(c.id);
    if (cost && 'error' in cost) return { error: `${where}, campaign ${c.id}: ${cost.error}; skipped.` };
    // No row in the segmented query: no cost on any day of the window (zero delivery, still listed).
    const days = [...(cost?.byDay.entries() ?? [])].sort(([a], [b]) => (a < b ? -1 : 1));
    spendByDay = {};
    let total = 0n;
    for (const [day, micros] of days) {
      spendByDay[day] = microsToMoney(micros);
      total += micros;
    }
    // The total is summed in micros and rounded once, not summed from the rounded days.
    spend = microsToMoney(total);
  } else {
    // JSON leaves out fields that are unset (and int64 zeros): no cost recorded reads as zero spend.
    spend = microsToAmount(row.metrics?.costMicros ?? '0');
    if (spend === null)
      return {
        error: `${where}, campaign ${c.id}: metrics.costMicros ${JSON.stringify(row.metrics?.costMicros)} is not a whole number of micros; skipped.`,
      };
  }
  if (spend < 0) return { error: `${where}, campaign ${c.id}: cost ${spend} is negative; skipped.` };
  const budgetMicros = row.campaignBudget?.amountMicros;
  const dailyBudget = budgetMicros === undefined ? null : microsToAmount(budgetMicros);
  // The resource a budget change edits; shared budgets (explicitly_shared) serve other campaigns too.
  const budgetResource = c.campaignBudget ?? row.campaignBudget?.resourceName;
  const budgetFields =
    typeof budgetResource === 'string' && /^customers\/\d+\/campaignBudgets\/\d+$/.test(budgetResource)
      ? { budgetResource, sharedBudget: row.campaignBudget?.explicitlyShared === true }
      : {};
  const name = typeof c.name === 'string' ? c.name : '';
  const parts = read.naming.parse(name);
  const endDate = datePart(c[read.fields.endKey]);
  const currency = row.customer?.currencyCode;
  return {
    campaign: {
      platform: 'google',
      id: c.id,
      name,
      market: parts.problem ? null : parts.market,
      product: parts.problem ? null : parts.product,
      startDate: datePart(c[read.fields.startKey]),
      endDate: endDate === OPEN_END_DATE ? null : endDate,
      spend,
      status: c.status,
      fetchedAt,
      account: customerId,
      // The account's zone: its days, and its flights' first and last day, are counted in it.
      ...(validZone(row.customer?.timeZone) ? { timeZone: row.customer?.timeZone as string } : {}),
      dailyBudget,
      ...budgetFields,
      currency: typeof currency === 'string' && /^[A-Za-z]{3}$/.test(currency) ? currency.toUpperCase() : null,
      reportingLagHours: REPORTING_LAG_HOURS,
      ...(spendByDay ? { spendByDay } : {}),
    },
    problem: parts.problem,
  };
}

function validZone(tz: unknown): boolean {
  if (typeof tz !== 'string' || tz === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
