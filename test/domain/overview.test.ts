// What the digest and App Home add up from a run's rows: money at stake per currency, over- and underspends apart,
// changes between two runs, chronic offenders, forecasts that miss their budget.
import { describe, expect, it } from 'vitest';
import {
  atStake,
  biggestVariances,
  chronicOffenders,
  forecastMisses,
  moneyAtStake,
  runChanges,
} from '../../src/domain/overview.js';
import type { ResultRow } from '../../src/domain/records.js';

/** A result row with only what these functions read; the rest is irrelevant here. */
function row(key: string, over: Partial<ResultRow> = {}): ResultRow {
  return {
    key,
    campaignId: key,
    campaignName: `Campaign ${key}`,
    currency: 'EUR',
    severity: 'healthy',
    variancePct: 0,
    targetSpend: 1000,
    actualSpend: 1000,
    forecast: null,
    history: null,
    rootCause: [],
    ...over,
  } as ResultRow;
}

const off = (key: string, actual: number, severity: 'warning' | 'critical', over: Partial<ResultRow> = {}) =>
  row(key, { actualSpend: actual, variancePct: (actual - 1000) / 10, severity, ...over });

describe('moneyAtStake', () => {
  it('sums |actual − target| of off-plan rows per currency, over and under apart, never across currencies', () => {
    const rows = [
      off('a', 1400, 'critical'), // 400 over
      off('b', 700, 'critical'), // 300 under
      off('c', 1150, 'warning', { currency: 'GBP' }), // 150 over
      row('d', { actualSpend: 1050, variancePct: 5 }), // healthy: not at stake
      row('e', { actualSpend: 5000, variancePct: null, severity: null }), // no variance (currency mismatch…)
      off('f', 1200.005, 'warning', { currency: 'USD' }),
    ];
    expect(moneyAtStake(rows)).toEqual([
      { currency: 'EUR', amount: 700, over: 400, under: 300, campaigns: 2 },
      { currency: 'USD', amount: 200.01, over: 200.01, under: 0, campaigns: 1 },
      { currency: 'GBP', amount: 150, over: 150, under: 0, campaigns: 1 },
    ]);
    expect(atStake(rows[3] as ResultRow)).toBe(0);
    expect(moneyAtStake([row('x')])).toEqual([]);
  });
});

describe('biggestVariances', () => {
  const rows = [
    off('over-small', 1120, 'warning'),
    off('under-big', 0, 'critical'),
    off('over-big', 1500, 'critical'),
    off('under-small', 850, 'warning'),
    row('healthy-over', { actualSpend: 1080, variancePct: 8 }),
  ];
  it('lists overspends and underspends separately, largest first, healthy rows in neither', () => {
    expect(biggestVariances(rows, 'over', 5).map((r) => r.key)).toEqual(['over-big', 'over-small']);
    expect(biggestVariances(rows, 'under', 5).map((r) => r.key)).toEqual(['under-big', 'under-small']);
    expect(biggestVariances(rows, 'over', 1).map((r) => r.key)).toEqual(['over-big']);
  });
});

describe('runChanges', () => {
  it('new criticals: critical now and not before (or new); resolved: off plan before, healthy now', () => {
    const then = [
      off('was-warning', 1150, 'warning'),
      off('still-critical', 1500, 'critical'),
      off('recovers', 1300, 'critical'),
      off('gets-no-variance', 1300, 'warning'),
      row('was-healthy'),
    ];
    const now = [
      off('was-warning', 1400, 'critical'),
      off('still-critical', 1600, 'critical'),
      row('recovers', { actualSpend: 1020, variancePct: 2 }),
      row('gets-no-variance', { severity: null, variancePct: null }),
      row('was-healthy'),
      off('brand-new', 0, 'critical'),
    ];
    const c = runChanges(then, now);
    expect(c.newCriticals.map((r) => r.key)).toEqual(['brand-new', 'was-warning']); // biggest variance first
    expect(c.resolved.map((x) => [x.before.key, x.before.severity, x.row.severity])).toEqual([
      ['recovers', 'critical', 'healthy'],
    ]);
    expect(runChanges(now, now)).toEqual({ newCriticals: [], resolved: [] });
  });
});

describe('chronicOffenders', () => {
  const history = (offPlanRuns: number, runs: number, chronic: boolean) => ({
    runs,
    offPlanRuns,
    chronic,
    variances: [],
  });
  it('off plan now and chronic by the run history, most off-plan runs first', () => {
    const rows = [
      off('three-of-four', 1200, 'warning', { history: history(3, 4, true) }),
      off('six-of-six', 1150, 'warning', { history: history(6, 6, true) }),
      off('two-of-two', 1500, 'critical', { history: history(2, 2, false) }),
      row('healthy-now', { history: history(5, 6, true) }),
      off('no-history', 1500, 'critical'),
    ];
    expect(chronicOffenders(rows).map((r) => r.key)).toEqual(['six-of-six', 'three-of-four']);
  });
});

describe('forecastMisses', () => {
  const forecast = (projectedVariancePct: number) => ({
    dailyRunRate: 100,
    projectedSpend: 1000 * (1 + projectedVariancePct / 100),
    budget: 1000,
    projectedVariancePct,
    daysLeft: 10,
    recommendedDailyBudget: 90,
    basis: 'last_7_days' as const,
  });
  it('forecasts beyond the healthy band, either way, furthest first; none without a forecast', () => {
    const rows = [
      row('on-budget', { forecast: forecast(4) }),
      row('edge', { forecast: forecast(10) }),
      row('over', { forecast: forecast(12.5) }),
      row('under', { forecast: forecast(-40) }),
      row('no-forecast'),
    ];
    expect(forecastMisses(rows, 10).map((r) => r.key)).toEqual(['under', 'over']);
    expect(forecastMisses(rows, 3).map((r) => r.key)).toEqual(['under', 'over', 'edge', 'on-budget']);
  });
  it('leaves out a flight held as too early to judge: its first hours say nothing about where it ends', () => {
    const early = {
      code: 'guard_early_flight' as const,
      message: 'Too early to judge: the flight started 9 h ago (EARLY_FLIGHT_HOURS 24); not paused.',
      evidence: {},
    };
    const rows = [
      row('early', { forecast: forecast(-100), rootCause: [early] }),
      row('under', { forecast: forecast(-40) }),
    ];
    expect(forecastMisses(rows, 10).map((r) => r.key)).toEqual(['under']);
  });
});
