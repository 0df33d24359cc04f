// Daily-budget proposals as a table: which rows get one, how far one change goes, rounding per currency, advice.
import { describe, expect, it } from 'vitest';
import {
  type BudgetRow,
  DEFAULT_BUDGET_SETTINGS,
  mayChangeBudgetAgain,
  mayGetProposal,
  proposeBudget,
  stepToward,
} from '../../src/domain/budget.js';
import type { Forecast } from '../../src/domain/types.js';

const NOW = '2026-11-20T09:00:00Z';
const S = DEFAULT_BUDGET_SETTINGS;

/** 18,000 EUR over November, 9,000 spent by the 20th, running at 800 a day: ends at 17,800 … */
function fc(over: Partial<Forecast> = {}): Forecast {
  return {
    dailyRunRate: 1000,
    projectedSpend: 20_000,
    budget: 18_000,
    projectedVariancePct: 11.11,
    daysLeft: 11,
    recommendedDailyBudget: 900,
    basis: 'last_7_days',
    ...over,
  };
}

/** A matched, enabled, in-flight EUR campaign at 1,000 a day whose flight is forecast 11 % over. */
function row(over: Partial<BudgetRow> = {}): BudgetRow {
  return {
    campaignId: 'ACM-G-001',
    platformCampaignId: '205',
    platformStatus: 'ENABLED',
    startDate: '2026-11-01',
    endDate: '2026-11-30',
    timeZone: null,
    budget: 18_000,
    planCurrency: 'EUR',
    platformCurrency: 'EUR',
    forecast: fc(),
    action: 'alert',
    proposedAction: null,
    dailyBudget: 1000,
    ...over,
  };
}

describe('which rows get a proposal', () => {
  const cases: [string, Partial<BudgetRow>, boolean][] = [
    ['an eligible row', {}, true],
    ['unmatched (no platform campaign)', { platformCampaignId: null }, false],
    ['an orphan (no plan row)', { campaignId: null }, false],
    ['paused on the platform', { platformStatus: 'PAUSED' }, false],
    ['no platform status', { platformStatus: null }, false],
    ['flight not started', { startDate: '2026-11-21' }, false],
    ['flight ended', { startDate: '2026-10-01', endDate: '2026-11-19' }, false],
    ['flight starts today', { startDate: '2026-11-20' }, true],
    ['no flight dates', { startDate: null }, false],
    ['no plan budget', { budget: null }, false],
    ['plan budget 0', { budget: 0 }, false],
    ['no platform daily budget', { dailyBudget: null }, false],
    ['platform daily budget 0', { dailyBudget: 0 }, false],
    ['currencies differ', { platformCurrency: 'GBP' }, false],
    ['plan currency unknown, platform states one', { planCurrency: null }, false],
    ['platform currency unknown, plan states one', { platformCurrency: null }, false],
    ['neither states a currency', { planCurrency: null, platformCurrency: null }, true],
    ['no forecast', { forecast: null }, false],
    ['1 day left (the last day)', { forecast: fc({ daysLeft: 1 }) }, false],
    ['2 days left', { forecast: fc({ daysLeft: 2 }) }, true],
    ['0 days left', { forecast: fc({ daysLeft: 0 }) }, false],
    ['forecast 9.99 % over', { forecast: fc({ projectedVariancePct: 9.99 }) }, false],
    ['forecast exactly 10 % over (the trigger)', { forecast: fc({ projectedVariancePct: 10 }) }, true],
    [
      'forecast exactly 10 % under',
      { forecast: fc({ projectedVariancePct: -10, recommendedDailyBudget: 1100 }) },
      true,
    ],
    ['forecast 9.99 % under', { forecast: fc({ projectedVariancePct: -9.99, recommendedDailyBudget: 1100 }) }, false],
    ['being halted', { action: 'halt' }, false],
    ['an escalation proposing halt', { action: 'escalate', proposedAction: 'halt' }, false],
    ['an escalation proposing alert', { action: 'escalate', proposedAction: 'alert' }, true],
    ['a healthy row logged (pacing fine to date, forecast off)', { action: 'log' }, true],
  ];
  it.each(cases)('%s → %s', (_name, over, expected) => {
    expect(proposeBudget(row(over), S, NOW) !== null).toBe(expected);
  });

  it('counts days in the account zone: in Tokyo the 21st has begun and a flight ending on the 20th is over', () => {
    const late = '2026-11-20T16:00:00Z'; // 01:00 on the 21st in Tokyo
    expect(proposeBudget(row({ endDate: '2026-11-20' }), S, late)).not.toBeNull();
    expect(proposeBudget(row({ endDate: '2026-11-20', timeZone: 'Asia/Tokyo' }), S, late)).toBeNull();
  });

  it('follows BUDGET_TRIGGER_PCT', () => {
    const r = row({ forecast: fc({ projectedVariancePct: 12 }) });
    expect(proposeBudget(r, { ...S, triggerPct: 12 }, NOW)).not.toBeNull();
    expect(proposeBudget(r, { ...S, triggerPct: 12.01 }, NOW)).toBeNull();
  });

  it('makes no proposal when the change rounds to today’s budget', () => {
    expect(proposeBudget(row({ forecast: fc({ recommendedDailyBudget: 1000.004 }) }), S, NOW)).toBeNull();
  });
});

describe('the proposal', () => {
  it('carries SPEC’s fields, exactly', () => {
    const p = proposeBudget(row(), S, NOW);
    expect(p).toEqual({
      from: 1000,
      to: 900,
      currency: 'EUR',
      recommended: 900,
      step: false,
      applicable: true,
      reason: expect.any(String),
      escalationId: null,
    });
    expect(p?.reason).toBe(
      'Set the daily budget to 900.00 EUR (now 1,000.00 EUR): at this rate the flight ends at 20,000.00 EUR against 18,000.00 EUR (+11.11%), 11 days left; 900.00 EUR a day lands it on budget.',
    );
  });

  // from, recommended, MAX_BUDGET_CHANGE_PCT, currency → to, step
  const clamps: [string, number, number, number, string, number, boolean][] = [
    ['within the cap, up', 1000, 1150, 20, 'EUR', 1150, false],
    ['within the cap, down', 1000, 850, 20, 'EUR', 850, false],
    ['exactly at the cap, up', 1000, 1200, 20, 'EUR', 1200, false],
    ['exactly at the cap, down', 1000, 800, 20, 'EUR', 800, false],
    ['past the cap, up: a step', 1000, 1500, 20, 'EUR', 1200, true],
    ['past the cap, down: a step', 1000, 500, 20, 'EUR', 800, true],
    ['nothing left to spend: a step down', 1000, 0, 20, 'EUR', 800, true],
    ['a smaller cap', 1000, 1500, 5, 'EUR', 1050, true],
    ['EUR rounds to cents', 1000, 1117.094, 20, 'EUR', 1117.09, false],
    ['EUR rounds half away from zero', 1000, 1117.085, 20, 'EUR', 1117.09, false],
    ['JPY rounds to whole yen', 100_000, 111_709.5, 20, 'JPY', 111_710, false],
    ['KRW rounds to whole won', 1_000_000, 1_117_094.4, 20, 'KRW', 1_117_094, false],
    ['a capped step in yen never passes the cap by rounding (333 × 1.2 = 399.6)', 333, 1000, 20, 'JPY', 399, true],
    ['a capped step down in yen never passes the cap by rounding (333 × 0.8 = 266.4)', 333, 0, 20, 'JPY', 267, true],
    ['a capped step in cents never passes the cap (1117.09 × 1.2 = 1340.508)', 1117.09, 2000, 20, 'EUR', 1340.5, true],
  ];
  it.each(clamps)('%s', (_name, from, recommended, max, currency, to, step) => {
    expect(stepToward(from, recommended, max, currency)).toEqual({ to, step });
    const p = proposeBudget(
      row({
        dailyBudget: from,
        planCurrency: currency,
        platformCurrency: currency,
        forecast: fc({ recommendedDailyBudget: recommended }),
      }),
      { ...S, maxChangePct: max },
      NOW,
    );
    expect(p).toMatchObject({ from, to, recommended, step, currency });
  });

  it('never goes below the platform minimum, nor below one minor unit', () => {
    expect(stepToward(5, 0, 20, 'EUR', { minimum: 4.5 })).toEqual({ to: 4.5, step: true });
    expect(stepToward(0.01, 0, 20, 'EUR')).toEqual({ to: 0.01, step: true });
    expect(stepToward(1, 0, 50, 'JPY')).toEqual({ to: 1, step: true });
    const p = proposeBudget(
      row({ dailyBudget: 5, limits: { minimum: 4.5 }, forecast: fc({ recommendedDailyBudget: 1 }) }),
      S,
      NOW,
    );
    expect(p).toMatchObject({ from: 5, to: 4.5, step: true });
  });

  it('keeps to a platform unit coarser than the currency’s (Meta writes TWD in whole units)', () => {
    expect(stepToward(1000, 1117.6, 20, 'TWD')).toEqual({ to: 1117.6, step: false });
    expect(stepToward(1000, 1117.6, 20, 'TWD', { unit: 1 })).toEqual({ to: 1118, step: false });
    expect(stepToward(1001, 5000, 20, 'TWD', { unit: 1 })).toEqual({ to: 1201, step: true }); // 1201.2 → down
    expect(stepToward(1001, 0, 20, 'TWD', { unit: 1 })).toEqual({ to: 801, step: true }); // 800.8 → up
    // Near the cap, rounding to the nearest unit stays inside it (1,003 × 1.2 = 1,203.6).
    expect(stepToward(1003, 1203.55, 20, 'JPY')).toEqual({ to: 1203, step: false });
    expect(stepToward(1003, 802.45, 20, 'JPY')).toEqual({ to: 803, step: false });
    // A finer unit than the currency's changes nothing: yen stay whole.
    expect(stepToward(1000, 1117.6, 20, 'JPY', { unit: 0.01 })).toEqual({ to: 1118, step: false });
  });

  it('says "step toward" when the cap holds it back', () => {
    const p = proposeBudget(row({ forecast: fc({ recommendedDailyBudget: 1500, projectedVariancePct: -20 }) }), S, NOW);
    expect(p?.reason).toMatch(/^Step toward 1,500\.00 EUR a day: at this rate the flight ends at 20,000\.00 EUR/);
    expect(p?.reason).toContain('at most 20 %, so 1,000.00 EUR → 1,200.00 EUR now');
  });

  it('writes yen without decimals', () => {
    const p = proposeBudget(
      row({
        planCurrency: 'JPY',
        platformCurrency: 'JPY',
        dailyBudget: 100_000,
        forecast: fc({ recommendedDailyBudget: 90_000.4, projectedSpend: 3_300_000, budget: 3_000_000 }),
      }),
      S,
      NOW,
    );
    expect(p?.to).toBe(90_000);
    expect(p?.reason).toContain('Set the daily budget to 90,000 JPY (now 100,000 JPY)');
  });
});

describe('advice only', () => {
  it('on a shared budget: applicable false, saying why, with the same figures', () => {
    const p = proposeBudget(row({ sharedBudget: true }), S, NOW);
    expect(p).toMatchObject({ from: 1000, to: 900, applicable: false, step: false });
    expect(p?.reason).toMatch(/^Advice only: the campaign shares its budget with other campaigns/);
    expect(p?.reason).toContain('900.00 EUR a day would land it on budget (now 1,000.00 EUR)');
  });

  it('on a lifetime budget', () => {
    const p = proposeBudget(row({ lifetimeBudget: 30_000 }), S, NOW);
    expect(p).toMatchObject({ applicable: false });
    expect(p?.reason).toMatch(/^Advice only: the campaign runs on a lifetime budget of 30,000\.00 EUR/);
  });

  it('a shared budget false or a lifetime budget null changes nothing', () => {
    expect(proposeBudget(row({ sharedBudget: false, lifetimeBudget: null }), S, NOW)?.applicable).toBe(true);
  });

  it('the eligibility rules still hold for advice', () => {
    expect(proposeBudget(row({ sharedBudget: true, action: 'halt' }), S, NOW)).toBeNull();
    expect(proposeBudget(row({ lifetimeBudget: 30_000, forecast: fc({ daysLeft: 1 }) }), S, NOW)).toBeNull();
  });
});

describe('the 24-hour rule', () => {
  const cases: [string, string | null, boolean][] = [
    ['never changed', null, true],
    ['changed 23 h 59 min ago', '2026-11-19T09:01:00Z', false],
    ['changed exactly 24 h ago', '2026-11-19T09:00:00Z', true],
    ['changed 3 days ago', '2026-11-17T09:00:00Z', true],
    ['changed 1 min ago', '2026-11-20T08:59:00Z', false],
    ['a change stamped in the future (clock moved back)', '2026-11-20T10:00:00Z', false],
    ['a change stamped with another offset, 23 h ago', '2026-11-19T11:00:00+01:00', false],
    ['an unreadable time', 'yesterday', false],
  ];
  it.each(cases)('%s → may change again: %s', (_name, last, expected) => {
    expect(mayChangeBudgetAgain(last, NOW)).toBe(expected);
  });
});

describe('mayGetProposal: what the row alone rules out', () => {
  it.each([
    ['an enabled campaign 11 % off with 11 days left', row(), true],
    ['a paused campaign', row({ platformStatus: 'PAUSED' }), false],
    ['no forecast', row({ forecast: null }), false],
    ['one day left', row({ forecast: fc({ daysLeft: 1 }) }), false],
    ['two days left', row({ forecast: fc({ daysLeft: 2 }) }), true],
    ['9.99 % off', row({ forecast: fc({ projectedVariancePct: -9.99 }) }), false],
    ['exactly 10 % under', row({ forecast: fc({ projectedVariancePct: -10 }) }), true],
  ])('%s', (_, r, may) => {
    expect(mayGetProposal(r, S)).toBe(may);
    // What it rules out, proposeBudget never proposes.
    if (!may) expect(proposeBudget(r, S, NOW)).toBeNull();
  });
});
