// Report rows built by hand for the report's tests (the totals in domain, the table and CSV in the CLI): a
// healthy EUR campaign by default, and a small run that holds every awkward case the totals must handle.
import type { ReportRow } from '../../src/domain/report.js';
import type { Forecast } from '../../src/domain/types.js';

export function forecast(projectedSpend: number, recommendedDailyBudget = 10): Forecast {
  return {
    dailyRunRate: 1,
    projectedSpend,
    budget: 1000,
    projectedVariancePct: 0,
    daysLeft: 10,
    recommendedDailyBudget,
    basis: 'flight_to_date',
  };
}

export function reportRow(o: Partial<ReportRow> = {}): ReportRow {
  return {
    campaignId: 'C-1',
    campaignName: 'Campaign one',
    platform: 'google',
    platformCampaignId: '111',
    platformCampaignName: 'Campaign one',
    market: 'DE',
    product: 'Sneakers',
    ownerSlackId: 'U1',
    currency: 'EUR',
    planCurrency: 'EUR',
    platformCurrency: 'EUR',
    targetSpend: 100,
    targetSource: 'tracker',
    actualSpend: 100,
    variancePct: 0,
    severity: 'healthy',
    confidence: 100,
    action: 'log',
    status: 'done',
    escalationId: null,
    budget: null,
    forecast: null,
    ...o,
  };
}

export const gbp = { currency: 'GBP', planCurrency: 'GBP', platformCurrency: 'GBP' };
export const usd = { currency: 'USD', planCurrency: 'USD', platformCurrency: 'USD' };

/** A small run: two currencies under one market, orphans, a row without currency, nulls, one foreign spend. */
export const ROWS: ReportRow[] = [
  reportRow({
    campaignId: 'DE-1',
    targetSpend: 100,
    actualSpend: 110,
    budget: 1000,
    forecast: forecast(1200),
    severity: 'warning',
  }),
  reportRow({
    campaignId: 'DE-2',
    platform: 'meta',
    product: 'Running',
    ownerSlackId: null,
    targetSpend: 200,
    actualSpend: null,
    budget: 500,
    severity: null,
  }),
  reportRow({ campaignId: 'DE-3', ...gbp, targetSpend: 50, actualSpend: 75, severity: 'critical' }),
  reportRow({
    campaignId: 'UK-1',
    market: 'UK',
    product: 'Football',
    ownerSlackId: 'U2',
    ...gbp,
    targetSpend: 300,
    actualSpend: 270,
    severity: 'healthy',
  }),
  // An orphan: no plan, its market and product known from the platform.
  reportRow({
    campaignId: null,
    campaignName: null,
    platformCampaignName: 'Acme_IT_Sandals',
    market: 'IT',
    product: 'Sandals',
    ownerSlackId: null,
    planCurrency: null,
    targetSpend: null,
    targetSource: null,
    actualSpend: 50,
    variancePct: null,
    severity: null,
  }),
  // An orphan the platform tells nothing about but its currency.
  reportRow({
    campaignId: null,
    campaignName: null,
    platform: 'meta',
    market: null,
    product: null,
    ownerSlackId: null,
    ...usd,
    planCurrency: null,
    targetSpend: null,
    targetSource: null,
    actualSpend: 20,
    variancePct: null,
    severity: null,
  }),
  // Nobody says the currency.
  reportRow({
    campaignId: 'SE-1',
    market: 'SE',
    platform: 'meta',
    currency: null,
    planCurrency: null,
    platformCurrency: null,
    actualSpend: null,
    targetSpend: 20,
    budget: 30,
    severity: null,
  }),
  // A EUR plan run from a USD account: its target and budget count in EUR, its spend in no total.
  reportRow({
    campaignId: 'DE-4',
    platform: 'meta',
    planCurrency: 'EUR',
    platformCurrency: 'USD',
    targetSpend: 40,
    actualSpend: 999,
    budget: 60,
    forecast: forecast(2000),
    variancePct: null,
    severity: null,
  }),
];
