// Which of a campaign's spend a plan row is compared with: the days of its own flight, up to today.
import type { PlanRow, PlatformCampaign } from './types.js';

/**
 * With per-day spend, only the days from the row's start to the earlier of its end and `today` count, so a
 * reused or always-on campaign is not charged for what it spent before this flight. Without, the platform's
 * figure is used as it is. Summed in cents, so no float drift.
 */
export function flightSpend(c: PlatformCampaign, row: PlanRow, today: string): number {
  if (!c.spendByDay) return c.spend;
  const last = row.endDate < today ? row.endDate : today;
  let cents = 0;
  const days = c.spendByDay;
  for (const day in days) {
    if (day >= row.startDate && day <= last) cents += Math.round((days[day] as number) * 100);
  }
  return cents / 100;
}
