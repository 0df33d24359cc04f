// Small builders for domain tests: a plausible, fully consistent plan row and platform campaign,
// overridden field by field where a test needs something specific.
import type { PlanRow, PlatformCampaign } from '../../src/domain/types.js';

/** "Now" for most tests: midnight UTC, 14 days into a May flight. */
export const NOW = '2024-05-15T00:00:00Z';

/**
 * A plan row for a 31-day May flight, planned at 100 a day: 1400 planned to date on 15 May (14 days elapsed),
 * budget 3100 for the whole flight.
 */
export function planRow(overrides: Partial<PlanRow> = {}): PlanRow {
  return {
    line: 2,
    campaignId: 'c-1',
    campaignName: 'UK Brand Search',
    platform: 'google',
    market: 'UK',
    product: 'Brand',
    startDate: '2024-05-01',
    endDate: '2024-05-31',
    targetSpend: 1400,
    budget: 3100,
    currency: 'EUR',
    ownerSlackId: null,
    platformCampaignId: null,
    ...overrides,
  };
}

/** The platform side of `planRow()`: same name, market, product, flight; 100/day; on plan; data 2 h old. */
export function campaign(overrides: Partial<PlatformCampaign> = {}): PlatformCampaign {
  return {
    platform: 'google',
    id: 'g-1',
    name: 'UK Brand Search',
    market: 'UK',
    product: 'Brand',
    startDate: '2024-05-01',
    endDate: '2024-05-31',
    spend: 1400,
    status: 'ENABLED',
    fetchedAt: '2024-05-14T22:00:00Z',
    dailyBudget: 100,
    currency: 'EUR',
    ...overrides,
  };
}

/** ISO time `hours` before `iso`. */
export function hoursBefore(iso: string, hours: number): string {
  return new Date(Date.parse(iso) - hours * 3_600_000).toISOString();
}
