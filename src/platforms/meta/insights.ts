// Insights rows read into exact spend per campaign, and per day when a spend window was asked for.
//
// Insights leave out campaigns (and days) without delivery, so a listed campaign without a row has spent 0 — never
// expect a row of 0 (but accept one). With a window (`time_increment=1`), each row is one campaign on one day
// (`date_start` = `date_stop`, in the account's time zone); without one, each row is a campaign's lifetime spend.
import type { SpendWindow } from '../../agent/ports.js';
import { PlatformError } from '../../errors.js';
import { isObject, str, unsafeId } from './json.js';
import { moneyToMicros } from './money.js';
import { isDay } from './time.js';

/** Spend read for one campaign: the exact total, and per day when a window was asked for. */
export interface SpendRead {
  total: bigint;
  days: Map<string, bigint>;
}

export interface InsightsRead {
  spend: Map<string, SpendRead>;
  /** Campaigns with a row that could not be read: their spend is unknown, so they are left out. */
  unusableSpend: Set<string>;
  /** Campaign names as insights give them, for campaigns the campaigns list names no better. */
  insightNames: Map<string, string>;
}

/** Gathers `act`'s insights rows per campaign (and day); what cannot be used is told in `errors`. */
export function readInsights(
  act: string,
  rawInsights: unknown[],
  window: SpendWindow | undefined,
  errors: string[],
): InsightsRead {
  const spend = new Map<string, SpendRead>();
  const unusableSpend = new Set<string>();
  const insightNames = new Map<string, string>();
  for (const row of rawInsights) {
    if (isObject(row) && unsafeId(row.campaign_id)) {
      // Which campaign spent cannot be told, and leaving the row out would make its campaign look idle.
      throw new PlatformError(
        'meta',
        `${act}: an insights row's campaign_id came as the JSON number ${row.campaign_id}, too large to be exact (its last digits are lost): the account's spend cannot be attributed, so it is not used.`,
        false,
      );
    }
    const id = isObject(row) ? str(row.campaign_id) : null;
    if (!isObject(row) || !id) {
      errors.push(`${act}: an insights row without campaign_id was ignored.`);
      continue;
    }
    const amount = moneyToMicros(row.spend);
    if (amount === null) {
      unusableSpend.add(id);
      errors.push(
        `Meta campaign ${id} in ${act}: spend ${JSON.stringify(row.spend)} is not a decimal amount, so the campaign is left out.`,
      );
      continue;
    }
    const read = spend.get(id) ?? { total: 0n, days: new Map<string, bigint>() };
    if (window) {
      // A daily row is one day inside the window; anything else cannot be given to the right flight.
      const day = row.date_start;
      if (!isDay(day) || row.date_stop !== day || day < window.since || day > window.until) {
        unusableSpend.add(id);
        errors.push(
          `Meta campaign ${id} in ${act}: an insights row for ${JSON.stringify(row.date_start)} to ${JSON.stringify(row.date_stop)} is not one day from ${window.since} to ${window.until}, so the campaign is left out.`,
        );
        continue;
      }
      read.days.set(day, (read.days.get(day) ?? 0n) + amount);
    }
    read.total += amount;
    spend.set(id, read);
    const name = str(row.campaign_name);
    if (name) insightNames.set(id, name);
  }
  return { spend, unusableSpend, insightNames };
}
