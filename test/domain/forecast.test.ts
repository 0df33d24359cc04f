// The pacing formulas at their boundaries: first day of flight, last day, after the end, no budget, no series,
// a series with gaps, and a flight counted in the account's own time zone.
import { describe, expect, it } from 'vitest';
import {
  dailyTrend,
  dayOf,
  elapsedShare,
  expectedToDate,
  forecast,
  pausedForecast,
  startOfDay,
} from '../../src/domain/forecast.js';
import { asItStands, standsPaused } from '../../src/domain/standing.js';
import { row } from '../cli/rows.js';

// A 30-day November flight with a budget of 150,000: 5,000 a day.
const FLIGHT = { startDate: '2026-11-01', endDate: '2026-11-30' };
const BUDGET = 150_000;
/** `n` days of `amount` each, ending the day before `today`. */
const series = (today: string, n: number, amount: number): Record<string, number> => {
  const out: Record<string, number> = {};
  for (let i = 1; i <= n; i++)
    out[new Date(Date.parse(`${today}T00:00:00Z`) - i * 86_400_000).toISOString().slice(0, 10)] = amount;
  return out;
};

describe('expected spend to date from the budget', () => {
  it.each([
    ['before the flight', '2026-10-31T12:00:00Z', 0],
    ['at the start date 00:00', '2026-11-01T00:00:00Z', 0],
    ['half a day in', '2026-11-01T12:00:00Z', 2_500],
    ['four days in (the issue: 20,000, not a stale target)', '2026-11-05T00:00:00Z', 20_000],
    ['at the end date 24:00', '2026-12-01T00:00:00Z', 150_000],
    ['after the end: capped at the budget', '2026-12-20T00:00:00Z', 150_000],
  ])('%s → %d', (_name, now, expected) => {
    expect(expectedToDate(BUDGET, FLIGHT, now)).toBe(expected);
  });

  it('counts the flight in the account’s zone: Berlin’s 1 November starts at 23:00 UTC the day before', () => {
    const berlin = { ...FLIGHT, timeZone: 'Europe/Berlin' };
    expect(startOfDay('2026-11-01', 'Europe/Berlin')).toBe(Date.parse('2026-10-31T23:00:00Z'));
    expect(elapsedShare(berlin, '2026-10-31T23:00:00Z')).toBe(0);
    expect(expectedToDate(BUDGET, berlin, '2026-11-01T11:00:00Z')).toBe(2_500);
    expect(dayOf('2026-11-30T23:30:00Z', 'Europe/Berlin')).toBe('2026-12-01');
  });
});

describe('forecast', () => {
  it('on plan with the last 7 days: lands on budget, recommends the same rate', () => {
    // 20 Nov: 19 full days at 5,000 = 95,000; 11 days left (20…30).
    const f = forecast(
      { ...FLIGHT, budget: BUDGET, actualSpend: 95_000, spendByDay: series('2026-11-20', 19, 5_000) },
      '2026-11-20T09:00:00Z',
    );
    expect(f).toEqual({
      dailyRunRate: 5_000,
      projectedSpend: 150_000,
      budget: BUDGET,
      projectedVariancePct: 0,
      daysLeft: 11,
      recommendedDailyBudget: 5_000,
      basis: 'last_7_days',
    });
  });

  it('over plan: where it ends and the daily budget that still lands it (overspend included)', () => {
    // The case: 4,560 over after 10 days → recommended ~204 a day for the rest, not 600.
    const f = forecast(
      {
        startDate: '2026-11-01',
        endDate: '2026-11-20',
        budget: 6_000,
        actualSpend: 5_940,
        spendByDay: series('2026-11-11', 10, 594),
      },
      '2026-11-11T00:00:00Z',
    );
    expect(f).toMatchObject({ dailyRunRate: 594, daysLeft: 10, projectedSpend: 11_880, projectedVariancePct: 98 });
    expect(f?.recommendedDailyBudget).toBe(6);
  });

  it('a paused flight ends at its spend so far: run rate 0 for the days left, the landing rate kept', () => {
    // The same overspending flight, paused: 5,940 spent is where it ends, 1 % under its 6,000 budget.
    const input = {
      startDate: '2026-11-01',
      endDate: '2026-11-20',
      budget: 6_000,
      actualSpend: 5_940,
      spendByDay: series('2026-11-11', 10, 594),
    };
    const paused = forecast({ ...input, paused: true }, '2026-11-11T00:00:00Z');
    expect(paused).toMatchObject({ dailyRunRate: 0, projectedSpend: 5_940, projectedVariancePct: -1, daysLeft: 10 });
    expect(paused?.recommendedDailyBudget).toBe(6);
    // A forecast made while it ran, once the campaign is paused: the same figures.
    const running = forecast(input, '2026-11-11T00:00:00Z');
    expect(running && pausedForecast(running, 5_940)).toEqual(paused);
  });

  it('a series with gaps counts missing days as no spend, only days inside the flight', () => {
    const f = forecast(
      { ...FLIGHT, budget: BUDGET, actualSpend: 14_000, spendByDay: { '2026-11-17': 7_000, '2026-11-19': 7_000 } },
      '2026-11-20T09:00:00Z',
    );
    expect(f).toMatchObject({ dailyRunRate: 2_000, basis: 'last_7_days' }); // 14,000 over 13…19 Nov
  });

  it('on the first day of the flight: no full day yet, so the flight to date', () => {
    const f = forecast({ ...FLIGHT, budget: BUDGET, actualSpend: 1_250, spendByDay: {} }, '2026-11-01T06:00:00Z');
    expect(f).toMatchObject({ basis: 'flight_to_date', dailyRunRate: 5_000, daysLeft: 30, projectedSpend: 151_250 });
  });

  it('on the last day: one day left', () => {
    const f = forecast({ ...FLIGHT, budget: BUDGET, actualSpend: 140_000 }, '2026-11-30T12:00:00Z');
    expect(f).toMatchObject({ daysLeft: 1, recommendedDailyBudget: 10_000, basis: 'flight_to_date' });
  });

  it('after the end: nothing left to spend, the projection is what was spent', () => {
    const f = forecast({ ...FLIGHT, budget: BUDGET, actualSpend: 120_000 }, '2026-12-03T00:00:00Z');
    expect(f).toMatchObject({
      daysLeft: 0,
      projectedSpend: 120_000,
      projectedVariancePct: -20,
      recommendedDailyBudget: 0,
    });
  });

  it('no budget, or no spend figure: no forecast', () => {
    expect(forecast({ ...FLIGHT, budget: null, actualSpend: 1_000 }, '2026-11-20T00:00:00Z')).toBeNull();
    expect(forecast({ ...FLIGHT, budget: 0, actualSpend: 1_000 }, '2026-11-20T00:00:00Z')).toBeNull();
    expect(forecast({ ...FLIGHT, budget: BUDGET, actualSpend: null }, '2026-11-20T00:00:00Z')).toBeNull();
  });

  it('no daily series: spend to date over the elapsed days', () => {
    // 19.375 days elapsed at 09:00 on 20 Nov.
    const f = forecast({ ...FLIGHT, budget: BUDGET, actualSpend: 96_875 }, '2026-11-20T09:00:00Z');
    expect(f).toMatchObject({ basis: 'flight_to_date', dailyRunRate: 5_000 });
  });
});

describe('spend spike and stall from the daily series', () => {
  const now = '2026-11-20T09:00:00Z';
  it.each([
    ['yesterday at twice the week before', 10_000, 'spike'],
    ['yesterday just under twice', 9_999, null],
    ['yesterday at a quarter', 1_250, 'stall'],
    ['yesterday just above a quarter', 1_251, null],
  ] as const)('%s → %s', (_name, yesterday, kind) => {
    const s = { ...series('2026-11-19', 7, 5_000), '2026-11-19': yesterday };
    expect(dailyTrend(s, FLIGHT, now)?.kind ?? null).toBe(kind);
  });

  it('needs a full week before yesterday inside the flight, and a mean above 0', () => {
    expect(dailyTrend({ '2026-11-03': 9_000 }, FLIGHT, '2026-11-04T09:00:00Z')).toBeNull();
    expect(dailyTrend({ '2026-11-19': 100 }, FLIGHT, now)).toBeNull();
  });
});

describe('a row as it stands once people and the agent acted', () => {
  const running = {
    dailyRunRate: 594,
    projectedSpend: 11_880,
    budget: 6_000,
    projectedVariancePct: 98,
    daysLeft: 10,
    recommendedDailyBudget: 6,
    basis: 'last_7_days' as const,
  };
  it.each([
    ['paused by the agent', { pause: 'paused' as const }, true],
    ['found paused', { pause: 'already_paused' as const }, true],
    ['paused on the platform', { platformStatus: 'PAUSED' as const }, true],
    [
      'an approved pause',
      { action: 'escalate' as const, proposedAction: 'halt' as const, status: 'approved' as const },
      true,
    ],
    ['an approved pause after a failed one', { action: 'halt' as const, status: 'approved' as const }, true],
    [
      'an approved alert',
      { action: 'escalate' as const, proposedAction: 'alert' as const, status: 'approved' as const },
      false,
    ],
    [
      'a rejected pause',
      { action: 'escalate' as const, proposedAction: 'halt' as const, status: 'overridden' as const },
      false,
    ],
    [
      'a pause awaiting a decision',
      { action: 'escalate' as const, proposedAction: 'halt' as const, status: 'awaiting_approval' as const },
      false,
    ],
    ['a dry run', { pause: 'would_pause' as const }, false],
  ])('%s: paused %s', (_name, over, paused) => {
    const r = row({ actualSpend: 5_940, forecast: running, platformStatus: 'ENABLED', ...over });
    expect(standsPaused(r)).toBe(paused);
    expect(asItStands(r).forecast?.projectedSpend).toBe(paused ? 5_940 : 11_880);
  });
});

describe('days in a zone, asked by many campaigns in turn', () => {
  const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Lord_Howe'];
  // Days around changes of offset, asked again and again, zones interleaved: each answer stands on its own.
  const days = ['2026-03-28', '2026-03-29', '2026-03-30', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01'];
  const inZone = (ms: number, timeZone: string) =>
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(ms));

  it('starts each day at its own 00:00 there', () => {
    for (let round = 0; round < 3; round++)
      for (const day of days)
        for (const zone of zones) {
          const start = startOfDay(day, zone);
          expect(inZone(start, zone)).toBe(`${day}, 00:00`);
          expect(inZone(start - 60_000, zone).startsWith(day)).toBe(false);
        }
  });

  it('names the day of each instant there', () => {
    for (const iso of ['2026-03-29T00:30:00Z', '2026-03-29T23:30:00Z', '2026-03-29T00:30:00Z', '2026-11-01T04:59:00Z'])
      for (const zone of zones) expect(dayOf(iso, zone)).toBe(inZone(Date.parse(iso), zone).slice(0, 10));
  });
});
