// The pacing report's money rules: the latest run's results totalled per group, each currency apart. Pure, so
// the CLI (table, CSV, JSON) and any other reader total the same way.
import { round2 } from './money.js';
import type { ResultRow } from './records.js';

export const REPORT_BY = ['market', 'product', 'platform', 'owner', 'currency'] as const;
export type ReportBy = (typeof REPORT_BY)[number];

export const isReportBy = (value: string): value is ReportBy => (REPORT_BY as readonly string[]).includes(value);

/** One group of one currency. A sum is null when no row of the group has the figure. */
export interface ReportGroup {
  key: string | null;
  currency: string | null;
  campaigns: number;
  targetSpend: number | null;
  actualSpend: number | null;
  variancePct: number | null;
  budget: number | null;
  projectedSpend: number | null;
  critical: number;
  warning: number;
  healthy: number;
}

/** The `report --json` document: SPEC's `{ by, groups }` plus the run it reads. */
export interface Report {
  by: ReportBy;
  runId: string | null;
  groups: ReportGroup[];
}

export type ReportRow = Pick<
  ResultRow,
  | 'campaignId'
  | 'campaignName'
  | 'platform'
  | 'platformCampaignId'
  | 'platformCampaignName'
  | 'market'
  | 'product'
  | 'ownerSlackId'
  | 'currency'
  | 'planCurrency'
  | 'platformCurrency'
  | 'targetSpend'
  | 'targetSource'
  | 'actualSpend'
  | 'variancePct'
  | 'severity'
  | 'confidence'
  | 'action'
  | 'status'
  | 'escalationId'
  | 'budget'
  | 'forecast'
>;

/** The currency a row's plan figures (target, budget) are in. */
export const rowCurrency = (r: ReportRow): string | null => r.planCurrency ?? r.platformCurrency ?? r.currency;

/**
 * Whether the row's spend is in its plan's currency. Spend reported in another currency (a EUR plan run from a
 * USD account) stays out of the group's spend totals: adding it would sum two currencies.
 */
export const spendInRowCurrency = (r: ReportRow): boolean =>
  r.platformCurrency === null || r.platformCurrency === rowCurrency(r);

function groupKey(r: ReportRow, by: ReportBy): string | null {
  switch (by) {
    case 'market':
      return r.market;
    case 'product':
      return r.product;
    case 'platform':
      return r.platform;
    case 'owner':
      return r.ownerSlackId ?? '(no owner)';
    case 'currency':
      return rowCurrency(r);
  }
}

/** A running sum that remembers whether anything was added (so that "no figure" is null, not 0). */
class Sum {
  private total = 0;
  private seen = false;
  add(value: number | null | undefined): void {
    // Results stored before a field existed read as undefined: skipped like null.
    if (typeof value !== 'number') return;
    this.total += value;
    this.seen = true;
  }
  get value(): number | null {
    return this.seen ? round2(this.total) : null;
  }
}

/** Totals the rows per group and currency, sorted by key then currency (unknowns last). */
export function groupResults(rows: readonly ReportRow[], by: ReportBy): ReportGroup[] {
  const groups = new Map<
    string,
    {
      key: string | null;
      currency: string | null;
      campaigns: number;
      target: Sum;
      actual: Sum;
      budget: Sum;
      projected: Sum;
      // Variance over the rows with both figures only: a row without spend must not read as 100 % under.
      comparedTarget: number;
      comparedActual: number;
      critical: number;
      warning: number;
      healthy: number;
    }
  >();
  for (const r of rows) {
    const key = groupKey(r, by);
    const currency = rowCurrency(r);
    const id = JSON.stringify([key, currency]);
    let g = groups.get(id);
    if (!g) {
      g = {
        key,
        currency,
        campaigns: 0,
        target: new Sum(),
        actual: new Sum(),
        budget: new Sum(),
        projected: new Sum(),
        comparedTarget: 0,
        comparedActual: 0,
        critical: 0,
        warning: 0,
        healthy: 0,
      };
      groups.set(id, g);
    }
    g.campaigns += 1;
    g.target.add(r.targetSpend);
    g.budget.add(r.budget);
    const spendComparable = spendInRowCurrency(r);
    if (spendComparable) {
      g.actual.add(r.actualSpend);
      g.projected.add(r.forecast?.projectedSpend);
      if (typeof r.targetSpend === 'number' && typeof r.actualSpend === 'number') {
        g.comparedTarget += r.targetSpend;
        g.comparedActual += r.actualSpend;
      }
    }
    if (r.severity) g[r.severity] += 1;
  }
  return [...groups.values()]
    .map((g) => ({
      key: g.key,
      currency: g.currency,
      campaigns: g.campaigns,
      targetSpend: g.target.value,
      actualSpend: g.actual.value,
      variancePct:
        g.comparedTarget === 0 ? null : round2(((g.comparedActual - g.comparedTarget) / g.comparedTarget) * 100),
      budget: g.budget.value,
      projectedSpend: g.projected.value,
      critical: g.critical,
      warning: g.warning,
      healthy: g.healthy,
    }))
    .sort((a, b) => compareNullsLast(a.key, b.key) || compareNullsLast(a.currency, b.currency));
}

/** Code-unit order, the same on every machine (no locale), unknown values last. */
function compareNullsLast(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

export function buildReport(rows: readonly ReportRow[], by: ReportBy, runId: string | null): Report {
  return { by, runId, groups: groupResults(rows, by) };
}

/** Rows whose spend is in another currency than their plan, so left out of their group's spend totals. */
export function spendLeftOut(rows: readonly ReportRow[]): ReportRow[] {
  return rows.filter((r) => typeof r.actualSpend === 'number' && !spendInRowCurrency(r));
}
