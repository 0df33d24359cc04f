// The report's money rules as tables: which currency a row's plan is in, whose spend may be added, and the
// groups they make (each currency apart, unknowns last, "no figure" kept apart from 0).
import { describe, expect, it } from 'vitest';
import {
  buildReport,
  groupResults,
  type ReportBy,
  type ReportGroup,
  type ReportRow,
  rowCurrency,
  spendInRowCurrency,
  spendLeftOut,
} from '../../src/domain/report.js';
import { forecast, ROWS, reportRow as result } from './report-rows.js';

type Currencies = Pick<ReportRow, 'currency' | 'planCurrency' | 'platformCurrency'>;
const cur = (currency: string | null, planCurrency: string | null, platformCurrency: string | null): Currencies => ({
  currency,
  planCurrency,
  platformCurrency,
});

describe('rowCurrency and spendInRowCurrency', () => {
  it.each<[string, Currencies, string | null, boolean]>([
    ['plan and platform agree', cur('EUR', 'EUR', 'EUR'), 'EUR', true],
    ['the plan says it, the platform does not', cur('EUR', 'EUR', null), 'EUR', true],
    ['an orphan: the platform alone says it', cur('USD', null, 'USD'), 'USD', true],
    ['only the row says it', cur('GBP', null, null), 'GBP', true],
    ['nobody says it', cur(null, null, null), null, true],
    [
      'a EUR plan run from a USD account: plan figures in EUR, spend in no total',
      cur('EUR', 'EUR', 'USD'),
      'EUR',
      false,
    ],
    ['the plan wins over the row', cur('GBP', 'EUR', 'EUR'), 'EUR', true],
  ])('%s', (_name, currencies, currency, comparable) => {
    const r = result(currencies);
    expect(rowCurrency(r)).toBe(currency);
    expect(spendInRowCurrency(r)).toBe(comparable);
  });
});

describe('spendLeftOut', () => {
  it('names the rows whose spend is in another currency than their plan, and only those with spend', () => {
    const foreign = result({ campaignId: 'F-1', ...cur('EUR', 'EUR', 'USD'), actualSpend: 5 });
    const foreignNoSpend = result({ campaignId: 'F-2', ...cur('EUR', 'EUR', 'USD'), actualSpend: null });
    expect(spendLeftOut([result(), foreign, foreignNoSpend]).map((r) => r.campaignId)).toEqual(['F-1']);
    expect(spendLeftOut(ROWS).map((r) => r.campaignId)).toEqual(['DE-4']);
  });
});

describe('buildReport', () => {
  it('carries the grouping and the run it read', () => {
    expect(buildReport(ROWS, 'platform', 'run-7')).toEqual({
      by: 'platform',
      runId: 'run-7',
      groups: groupResults(ROWS, 'platform'),
    });
    expect(buildReport([], 'market', null)).toEqual({ by: 'market', runId: null, groups: [] });
  });
});

type Shape = [key: string | null, currency: string | null, campaigns: number];
const shape = (groups: ReportGroup[]): Shape[] => groups.map((g) => [g.key, g.currency, g.campaigns]);

describe('groupResults', () => {
  it.each<[ReportBy, Shape[]]>([
    [
      'market',
      [
        ['DE', 'EUR', 3],
        ['DE', 'GBP', 1],
        ['IT', 'EUR', 1],
        ['SE', null, 1],
        ['UK', 'GBP', 1],
        [null, 'USD', 1],
      ],
    ],
    [
      'product',
      [
        ['Football', 'GBP', 1],
        ['Running', 'EUR', 1],
        ['Sandals', 'EUR', 1],
        ['Sneakers', 'EUR', 2],
        ['Sneakers', 'GBP', 1],
        ['Sneakers', null, 1],
        [null, 'USD', 1],
      ],
    ],
    [
      'platform',
      [
        ['google', 'EUR', 2],
        ['google', 'GBP', 2],
        ['meta', 'EUR', 2],
        ['meta', 'USD', 1],
        ['meta', null, 1],
      ],
    ],
    [
      'owner',
      [
        ['(no owner)', 'EUR', 2],
        ['(no owner)', 'USD', 1],
        ['U1', 'EUR', 2],
        ['U1', 'GBP', 1],
        ['U1', null, 1],
        ['U2', 'GBP', 1],
      ],
    ],
    [
      'currency',
      [
        ['EUR', 'EUR', 4],
        ['GBP', 'GBP', 2],
        ['USD', 'USD', 1],
        [null, null, 1],
      ],
    ],
  ])('by %s: one group per key and currency, sorted, unknowns last', (by, expected) => {
    const groups = groupResults(ROWS, by);
    expect(shape(groups)).toEqual(expected);
    // Every row counts once, whatever the grouping.
    expect(groups.reduce((n, g) => n + g.campaigns, 0)).toBe(ROWS.length);
  });

  it('keeps each currency apart and skips missing figures (market)', () => {
    const byKey = new Map(groupResults(ROWS, 'market').map((g) => [`${g.key}/${g.currency}`, g]));
    expect(byKey.get('DE/EUR')).toEqual({
      key: 'DE',
      currency: 'EUR',
      campaigns: 3,
      targetSpend: 340, // 100 + 200 + 40
      actualSpend: 110, // DE-2 has none; DE-4 spent USD
      variancePct: 10, // over DE-1 only, the one row with both figures in EUR
      budget: 1560,
      projectedSpend: 1200, // DE-4's forecast is in USD
      critical: 0,
      warning: 1,
      healthy: 0,
    });
    expect(byKey.get('DE/GBP')).toMatchObject({ targetSpend: 50, actualSpend: 75, variancePct: 50, critical: 1 });
    expect(byKey.get('UK/GBP')).toMatchObject({ targetSpend: 300, actualSpend: 270, variancePct: -10, budget: null });
    // Orphans: spend without a plan, so no target, no variance; none of these rows has a budget or a forecast.
    expect(byKey.get('IT/EUR')).toMatchObject({
      campaigns: 1,
      targetSpend: null,
      actualSpend: 50,
      variancePct: null,
      budget: null,
      projectedSpend: null,
    });
    expect(byKey.get('null/USD')).toMatchObject({ key: null, actualSpend: 20, targetSpend: null });
    expect(byKey.get('SE/null')).toMatchObject({ currency: null, targetSpend: 20, actualSpend: null, budget: 30 });
  });

  it('counts severities, leaving rows without one out of the three counts', () => {
    const [all] = groupResults(
      [
        result({ severity: 'critical' }),
        result({ severity: 'critical' }),
        result({ severity: 'warning' }),
        result({ severity: 'healthy' }),
        result({ severity: null }),
      ],
      'market',
    );
    expect(all).toMatchObject({ campaigns: 5, critical: 2, warning: 1, healthy: 1 });
  });

  it.each<[string, [number | null, number | null][], number | null]>([
    ['a third over', [[3, 4]], 33.33],
    ['a sixth under', [[6, 5]], -16.67],
    ['half a cent of a percent rounds away from zero', [[20000, 20001]], 0.01],
    ['and below zero too', [[20000, 19999]], -0.01],
    [
      'from the sums, not the mean of the rows',
      [
        [100, 200],
        [300, 300],
      ],
      25,
    ],
    [
      'rows without spend do not count',
      [
        [100, 150],
        [900, null],
      ],
      50,
    ],
    [
      'rows without target do not count',
      [
        [100, 150],
        [null, 900],
      ],
      50,
    ],
    ['target 0: no variance', [[0, 10]], null],
    [
      'no row has both: no variance',
      [
        [100, null],
        [null, 10],
      ],
      null,
    ],
  ])('variance: %s', (_name, pairs, expected) => {
    const rows = pairs.map(([targetSpend, actualSpend]) => result({ targetSpend, actualSpend }));
    expect(groupResults(rows, 'market')[0]?.variancePct).toBe(expected);
  });

  it('rounds the sums to 2 decimals', () => {
    const [g] = groupResults(
      [
        result({ targetSpend: 0.1, actualSpend: 0.105, budget: 0.1, forecast: forecast(0.1) }),
        result({ targetSpend: 0.2, actualSpend: 0.2, budget: 0.2, forecast: forecast(0.2) }),
      ],
      'market',
    );
    expect(g).toMatchObject({ targetSpend: 0.3, actualSpend: 0.31, budget: 0.3, projectedSpend: 0.3 });
  });

  it('reads stored results that predate budget and forecast as having neither', () => {
    const old = result({ targetSpend: 10, actualSpend: 12 }) as Partial<ReportRow>;
    delete old.budget;
    delete old.forecast;
    expect(groupResults([old as ReportRow], 'market')[0]).toMatchObject({ budget: null, projectedSpend: null });
  });

  it('has no groups for a run without results', () => {
    expect(groupResults([], 'owner')).toEqual([]);
  });
});
