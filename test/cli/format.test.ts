// The terminal text of `run` / `status` (forecast table) and `status <campaign>` (one campaign's whole story),
// from result rows built by hand.

import { describe, expect, it } from 'vitest';
import {
  campaignDetail,
  displayWidth,
  flightRange,
  forecastTable,
  problems,
  type RunView,
  runReport,
  TERMINAL_WIDTH,
  trendLine,
} from '../../src/cli/format.js';
import type { ResultRow } from '../../src/domain/records.js';
import { asItStands } from '../../src/domain/standing.js';
import type { Forecast, RunHistory } from '../../src/domain/types.js';
import { row } from './rows.js';

function forecast(o: Partial<Forecast> = {}): Forecast {
  return {
    dailyRunRate: 500,
    projectedSpend: 15_000,
    budget: 15_000,
    projectedVariancePct: 0,
    daysLeft: 11,
    recommendedDailyBudget: 500,
    basis: 'last_7_days',
    ...o,
  };
}

function view(results: ResultRow[]): RunView {
  return {
    runId: 'run-1',
    startedAt: '2026-11-20T09:00:00.000Z',
    results,
    errors: [],
    platformErrors: [],
    summary: {
      rows: results.length,
      invalidRows: 0,
      orphans: 0,
      bySeverity: { healthy: results.length, warning: 0, critical: 0, none: 0 },
      byAction: { log: results.length, alert: 0, escalate: 0, halt: 0 },
      byStatus: { done: results.length },
      platforms: {},
      comparisons: 0,
      durationMs: 5,
    },
  };
}

/** The forecast table's lines, from its title to its legend. */
function tableLines(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Forecast to the end of the flight'));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('Run rate:'));
  return lines.slice(start, end + 1);
}

const dataLine = (lines: string[], id: string) => lines.find((l) => l.startsWith(id)) ?? '';

describe('forecast table', () => {
  const rows = [
    row({ campaignId: 'ON-PLAN', forecast: forecast() }),
    row({ campaignId: 'NO-BUDGET', budget: null, forecast: null }),
    row({
      campaignId: 'OVER',
      currency: 'GBP',
      budget: 18_000,
      forecast: forecast({
        dailyRunRate: 823.74,
        projectedSpend: 25_021.16,
        budget: 18_000,
        projectedVariancePct: 39.01,
        recommendedDailyBudget: 185.45,
      }),
    }),
    row({
      campaignId: 'UNDER',
      forecast: forecast({ projectedSpend: 13_600, projectedVariancePct: -9.33, recommendedDailyBudget: 620 }),
    }),
    row({
      campaignId: 'BORDER',
      forecast: forecast({ projectedSpend: 13_500, projectedVariancePct: -10, recommendedDailyBudget: 640 }),
    }),
    row({
      campaignId: null,
      campaignName: null,
      key: 'google:999',
      platformCampaignName: 'Stray',
      targetSource: null,
      budget: null,
      forecast: null,
    }),
  ];

  it('comes after the pacing table, before the summary, and lists only rows with a forecast', () => {
    const text = runReport(view(rows));
    const lines = text.split('\n');
    const pacing = lines.findIndex((l) => l.startsWith('ID') && l.includes('TARGET'));
    const title = lines.indexOf('Forecast to the end of the flight');
    const summary = lines.findIndex((l) => l.startsWith('6 campaigns'));
    expect(pacing).toBeGreaterThan(0);
    expect(title).toBeGreaterThan(pacing);
    expect(summary).toBeGreaterThan(title);
    // The pacing table still lists every row.
    for (const id of ['ON-PLAN', 'NO-BUDGET', 'OVER', 'UNDER', 'BORDER', '(orphan)'])
      expect(
        lines.slice(pacing, title).some((l) => l.startsWith(id)),
        id,
      ).toBe(true);
    expect(lines.slice(pacing, title).some((l) => /^\(orphan\)\s+Stray\s/.test(l))).toBe(true);

    const table = tableLines(text);
    const ids = table
      .filter((l) => /^[A-Z(]/.test(l) && !/^(CAMPAIGN|Forecast|Run rate)/.test(l))
      .map((l) => l.split(' ')[0]);
    expect(ids).toEqual(['ON-PLAN', 'OVER', 'UNDER', 'BORDER']);
  });

  it('shows currency, budget, projected spend and variance, days left, run rate and the daily budget to land', () => {
    const table = tableLines(runReport(view(rows)));
    expect(table.join('\n')).toMatch(/CAMPAIGN\s+CUR\s+BUDGET\s+SPEND\s+VARIANCE\s+LEFT\s+PER DAY\s+PER DAY/);
    expect(dataLine(table, 'OVER').split(/\s+/)).toEqual([
      'OVER',
      'GBP',
      '18,000.00',
      '25,021.16',
      '+39.01%',
      '11',
      '823.74',
      '185.45',
      '⚠',
    ]);
    expect(dataLine(table, 'UNDER')).toContain('-9.33%');
    expect(table.at(-1)).toBe('Run rate: mean daily spend of the last 7 days.');
  });

  it('marks the rows projected 10 % or more off budget, either way, and only those', () => {
    const table = tableLines(runReport(view(rows)));
    expect(dataLine(table, 'OVER')).toMatch(/⚠$/);
    expect(dataLine(table, 'BORDER')).toMatch(/⚠$/);
    expect(dataLine(table, 'ON-PLAN')).not.toContain('⚠');
    expect(dataLine(table, 'UNDER')).not.toContain('⚠');
    expect(table.some((l) => l.startsWith('⚠ ends 10% or more off budget'))).toBe(true);
  });

  it('is left out when no row has a forecast; the pacing table and summary stay as they were', () => {
    const plain = [row({ forecast: null }), row({ campaignId: 'C-2', forecast: null })];
    const text = runReport(view(plain));
    expect(text).not.toContain('Forecast');
    expect(forecastTable(plain)).toBeNull();
    const lines = text.split('\n');
    expect(lines[0]).toBe('Pacing run run-1 at 2026-11-20T09:00:00.000Z');
    expect(lines[2]).toMatch(
      /^ID\s+CAMPAIGN\s+PLATFORM\s+CUR\s+TARGET\s+ACTUAL\s+VARIANCE\s+SEVERITY\s+CONF\s+ACTION\s+STATUS$/,
    );
    const summary = lines.findIndex((l) => l.startsWith('2 campaigns'));
    expect(lines[summary]).toMatch(/^2 campaigns \(2 planned, 0 orphans\) in 5 ms$/);
    expect(lines[summary - 1]).toBe('');
    expect(lines.slice(summary + 1)).toEqual(['Pacing:   2 healthy · 0 warning · 0 critical', 'This run: nothing new']);
  });

  it('fits 80 columns with long campaign ids and millions, keeping thousands separators', () => {
    const big = forecast({
      dailyRunRate: 1_234_567.89,
      projectedSpend: 98_765_432.1,
      budget: 45_000_000,
      projectedVariancePct: 119.48,
      daysLeft: 30,
      recommendedDailyBudget: 1_111_111.11,
    });
    const text = forecastTable([
      row({ campaignId: `ACME-DE-SNEAKERS-PROSPECTING-${'X'.repeat(60)}`, forecast: big }),
      row({ campaignId: 'SHORT', forecast: forecast({ basis: 'flight_to_date' }) }),
    ]);
    expect(text).not.toBeNull();
    const lines = (text ?? '').split('\n');
    for (const l of lines) expect(displayWidth(l), l).toBeLessThanOrEqual(TERMINAL_WIDTH);
    const long = dataLine(lines, 'ACME-DE');
    expect(long).toContain('…');
    expect(long).toMatch(/98,765,432/);
    expect(long).toMatch(/45,000,000/);
    expect(long).toMatch(/1,234,568|1,234,567\.89/);
    expect(long).toMatch(/⚠$/);
    // Mixed bases: the flight-to-date rate is starred and the legend says so.
    expect(dataLine(lines, 'SHORT')).toMatch(/500(\.00)?\*/);
    expect(lines.at(-1)).toBe('Run rate: mean of the last 7 days; * spend to date over the days elapsed.');
  });

  it('a paused campaign: "paused" for its run rate, and it ends at its spend so far (also in the detail)', () => {
    // Stored while it ran: 9,500 spent, projected to 25,021.16 at 1,234.56 a day. Paused by the agent since.
    const running = forecast({ dailyRunRate: 1_234.56, projectedSpend: 25_021.16, projectedVariancePct: 66.81 });
    const paused = row({ campaignId: 'PAUSED', pause: 'paused', platformStatus: 'PAUSED', forecast: running });
    const stands = asItStands(paused);
    const text = forecastTable([stands]) ?? '';
    const line = dataLine(text.split('\n'), 'PAUSED');
    expect(line).toMatch(/ paused {2}/);
    expect(line).toContain('9,500.00');
    expect(line).not.toContain('25,021.16');
    const detail = campaignDetail(stands, null);
    expect(detail).toContain(
      'Paused: it ends at its spend so far, 9,500.00 EUR against a budget of 15,000.00 EUR (-36.67%)',
    );
    expect(detail).not.toContain('a day (last 7 days) it ends at');
  });

  it('an early flight: no projection and no mark from its first hours, in the table and the detail', () => {
    // Nothing spent 9 h into the flight projects 0 at the end: "too early to judge" must not be contradicted.
    const early = row({
      campaignId: 'EARLY',
      actualSpend: 0,
      variancePct: -100,
      zeroDelivery: true,
      severity: 'critical',
      action: 'alert',
      status: 'done',
      rootCause: [
        {
          code: 'guard_early_flight',
          message: 'Too early to judge: the flight started 9 h ago (EARLY_FLIGHT_HOURS 24); not paused.',
          evidence: {},
        },
      ],
      forecast: forecast({
        dailyRunRate: 0,
        projectedSpend: 0,
        budget: 4_400,
        projectedVariancePct: -100,
        recommendedDailyBudget: 400,
        basis: 'flight_to_date',
      }),
    });
    const text = forecastTable([early, row({ campaignId: 'ON-PLAN', forecast: forecast() })]) ?? '';
    const line = dataLine(text.split('\n'), 'EARLY');
    expect(line.split(/\s{2,}/)).toEqual(['EARLY', 'EUR', '4,400.00', '—', '—', '11', 'too early', '400.00']);
    expect(text).toContain('too early: started within EARLY_FLIGHT_HOURS; its first hours project nothing.');
    const detail = campaignDetail(early, null);
    expect(detail).toContain('Too early for a forecast: the flight has only just started; its budget is 4,400.00 EUR');
    expect(detail).toContain('11 days left; to land on budget: 400.00 EUR a day');
    expect(detail).not.toContain('it ends at 0.00 EUR');
  });

  it('names the platform as people know it, and the outcome in the table\'s word ("paused", not "done")', () => {
    const paused = campaignDetail(
      row({ action: 'halt', status: 'done', pause: 'paused', platformStatus: 'PAUSED' }),
      null,
    );
    expect(paused).toContain('  platform          Google Ads campaign 111 "Campaign one" (PAUSED)');
    expect(paused).toContain('  action            halt — paused');
    const meta = campaignDetail(row({ platform: 'meta', action: 'escalate', status: 'awaiting_approval' }), null);
    expect(meta).toContain('  platform          Meta campaign 111');
    expect(meta).toContain('  action            escalate — awaiting');
  });

  it('keeps the cents when only the campaign id needs clipping', () => {
    const text = forecastTable([row({ campaignId: `LONG-${'Y'.repeat(80)}`, forecast: forecast() })]) ?? '';
    for (const l of text.split('\n')) expect(displayWidth(l), l).toBeLessThanOrEqual(TERMINAL_WIDTH);
    expect(text).toContain('15,000.00');
    expect(text).toContain('LONG-YYY');
    expect(text.split('\n')[0]).toBe('Forecast to the end of the flight');
  });
});

describe('campaign detail', () => {
  const history: RunHistory = {
    runs: 6,
    offPlanRuns: 4,
    chronic: true,
    variances: [4.2, 8, 12.4, null, 19, 23.4],
  };

  it('says the target comes from the budget, with the budget and the flight', () => {
    const text = campaignDetail(
      row({ targetSource: 'budget', targetSpend: 20_000, budget: 150_000, forecast: null }),
      null,
    );
    expect(text).toContain(
      'target source     to date 20,000.00 EUR, from the budget: 150,000.00 EUR over 1–30 Nov 2026',
    );
  });

  it('says when the target is the tracker’s, and the budget beside it', () => {
    expect(campaignDetail(row(), null)).toContain(
      'target source     to date 9,500.00 EUR, from the tracker; budget 15,000.00 EUR over 1–30 Nov 2026',
    );
    expect(campaignDetail(row({ budget: null }), null)).toContain('from the tracker; no budget given');
  });

  it('tells the forecast: run rate and basis, where it ends, days left, the daily budget that lands it', () => {
    const text = campaignDetail(
      row({
        targetSource: 'budget',
        targetSpend: 95_000,
        budget: 150_000,
        actualSpend: 95_000,
        forecast: forecast({
          dailyRunRate: 5_000,
          projectedSpend: 150_000,
          budget: 150_000,
          projectedVariancePct: 0,
          daysLeft: 11,
          recommendedDailyBudget: 5_000,
        }),
      }),
      null,
    );
    expect(text).toContain(
      '  forecast          At 5,000.00 EUR a day (last 7 days) it ends at 150,000.00 EUR against a budget of 150,000.00 EUR (0.00%)\n' +
        '                    11 days left; to land on budget: 5,000.00 EUR a day',
    );
  });

  it('marks a forecast off budget, and words the flight-to-date basis, one day left, an ended flight, a spent budget', () => {
    const over = campaignDetail(
      row({
        forecast: forecast({
          basis: 'flight_to_date',
          projectedSpend: 25_021.16,
          budget: 18_000,
          projectedVariancePct: 39.01,
          daysLeft: 1,
        }),
      }),
      null,
    );
    expect(over).toContain('(flight to date)');
    expect(over).toContain('(+39.01%) ⚠');
    expect(over).toContain('1 day left;');
    expect(campaignDetail(row({ forecast: forecast({ daysLeft: 0, recommendedDailyBudget: 0 }) }), null)).toContain(
      'The flight is over',
    );
    expect(campaignDetail(row({ forecast: forecast({ daysLeft: 5, recommendedDailyBudget: 0 }) }), null)).toContain(
      'the budget is already spent',
    );
  });

  it('draws the history as a trend line, oldest first, nulls as dashes', () => {
    const text = campaignDetail(row({ history }), null);
    expect(text).toContain('  history           Last 6 runs: +4 → +8 → +12 → — → +19 → +23 % (4 off plan; chronic)');
    expect(trendLine({ runs: 1, offPlanRuns: 0, chronic: false, variances: [-3.6] })).toBe(
      'Last run: -4 % (none off plan)',
    );
    expect(trendLine({ runs: 3, offPlanRuns: 1, chronic: false, variances: [0.2, -0.4, null] })).toBe(
      'Last 3 runs: 0 → 0 → — % (1 off plan)',
    );
  });

  it('says nothing of forecast or history when there is none, and keeps what it showed before', () => {
    const text = campaignDetail(row({ forecast: null, history: null }), null);
    expect(text).not.toMatch(/forecast|history|a day/);
    for (const label of ['platform', 'market / product', 'target / actual', 'variance', 'confidence', 'action', 'why'])
      expect(text).toContain(`  ${label} `);
    // An orphan has no plan: no target source either.
    const orphan = campaignDetail(
      row({ campaignId: null, targetSource: null, targetSpend: null, budget: null, startDate: null, endDate: null }),
      null,
    );
    expect(orphan).not.toContain('target source');
  });

  it('orders the story: target, its source, variance, history, forecast, then confidence and action', () => {
    const text = campaignDetail(row({ history, forecast: forecast() }), null);
    const at = (s: string) => text.indexOf(s);
    expect(at('target / actual')).toBeLessThan(at('target source'));
    expect(at('target source')).toBeLessThan(at('  variance'));
    expect(at('  variance')).toBeLessThan(at('  history'));
    expect(at('  history')).toBeLessThan(at('  forecast'));
    expect(at('  forecast')).toBeLessThan(at('  confidence'));
  });
});

describe('flight range', () => {
  it('names the months once', () => {
    expect(flightRange('2026-11-01', '2026-11-30')).toBe('1–30 Nov 2026');
    expect(flightRange('2026-10-25', '2026-11-30')).toBe('25 Oct – 30 Nov 2026');
    expect(flightRange('2026-12-20', '2027-01-10')).toBe('20 Dec 2026 – 10 Jan 2027');
  });
});

describe('problems', () => {
  it('names each platform as people know it', () => {
    const text = problems(
      [],
      [
        { platform: 'google', message: '6 of 6 in-flight campaigns show no delivery' },
        { platform: 'meta', message: 'throttled' },
      ],
    );
    expect(text.split('\n')).toEqual([
      'Platform data problems:',
      '  Google Ads: 6 of 6 in-flight campaigns show no delivery',
      '  Meta: throttled',
    ]);
  });
});
