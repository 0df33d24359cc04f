// Pool rebalancing: shares by recent delivery, the step cap, held members, one currency per pool, landing on total.
import { describe, expect, it } from 'vitest';
import {
  groupPools,
  type PoolMember,
  poolMissPct,
  poolNeedsRebalance,
  poolNoteDetail,
  rebalancePool,
  shareOfPool,
} from '../../src/domain/pools.js';

// 20 November, flights through 30 November: 11 days left, today included.
const NOW = '2026-11-20T09:00:00Z';
const DAYS = 11;
const S = { maxChangePct: 20 };

/** A member running at `rate` a day on a daily budget of `daily` (the rate by default): budget-bound. */
function member(id: string, budget: number, actual: number, rate: number, over: Partial<PoolMember> = {}): PoolMember {
  const projected = actual + rate * DAYS;
  return {
    campaignId: id,
    planCurrency: 'EUR',
    platformCurrency: 'EUR',
    startDate: '2026-11-01',
    endDate: '2026-11-30',
    timeZone: null,
    budget,
    actualSpend: actual,
    forecast: {
      dailyRunRate: rate,
      projectedSpend: projected,
      budget,
      projectedVariancePct: Math.round(((projected - budget) / budget) * 10000) / 100,
      daysLeft: DAYS,
      recommendedDailyBudget: Math.max(0, budget - actual) / DAYS,
      basis: 'last_7_days',
    },
    platformStatus: 'ENABLED',
    dailyBudget: rate,
    ...over,
  };
}

describe('rebalancePool', () => {
  it('prints the fields SPEC gives for optimise --json, and nothing else', () => {
    const p = rebalancePool('DE Sneakers', [member('A', 60_000, 38_000, 2000)], S, NOW);
    expect(Object.keys(p)).toEqual([
      'pool',
      'currency',
      'budget',
      'actualSpend',
      'projectedSpend',
      'projectedAfter',
      'changes',
      'note',
    ]);
  });

  it('shares what is left in proportion to each member’s recent delivery, landing on the total', () => {
    // 90,000 planned, 60,000 spent: 30,000 left over 11 days, while today's rates (3,000 a day) would spend 33,000.
    const p = rebalancePool(
      'DE Sneakers',
      [member('A', 60_000, 40_000, 2000), member('B', 30_000, 20_000, 1000)],
      S,
      NOW,
    );
    expect(p).toMatchObject({ pool: 'DE Sneakers', currency: 'EUR', budget: 90_000, actualSpend: 60_000 });
    expect(p.projectedSpend).toBe(93_000);
    expect(p.changes).toEqual([
      { campaignId: 'A', from: 2000, to: 1818.18 },
      { campaignId: 'B', from: 1000, to: 909.09 },
    ]);
    expect(p.projectedAfter).toBeCloseTo(90_000, -1);
    expect(p.note).toBe("2 changes land it at 100.0 % of 90,000.00 EUR (at today's rates 103.3 %).");
  });

  it('gives more to the members that deliver more, when the pool under-delivers', () => {
    const p = rebalancePool('P', [member('A', 40_000, 20_000, 1500), member('B', 20_000, 10_000, 500)], S, NOW);
    // Left: 30,000 over 11 days = 2,727.27 a day against 2,000 now: every member × 1.3636, capped at × 1.2.
    expect(p.changes).toEqual([
      { campaignId: 'A', from: 1500, to: 1800 },
      { campaignId: 'B', from: 500, to: 600 },
    ]);
    expect(p.projectedAfter).toBe(56_400);
    expect(p.note).toContain('Each change moves a daily budget by at most 20 %: later runs go on.');
  });

  it('caps each step, down as well as up', () => {
    const p = rebalancePool('P', [member('A', 30_000, 25_000, 1000), member('B', 30_000, 25_000, 1000)], S, NOW);
    expect(p.changes).toEqual([
      { campaignId: 'A', from: 1000, to: 800 },
      { campaignId: 'B', from: 1000, to: 800 },
    ]);
  });

  it('holds members on shared or lifetime budgets, paused or in their last days: the others take up the rest', () => {
    const p = rebalancePool(
      'P',
      [
        member('A', 30_000, 17_000, 1000),
        member('C', 15_000, 9_500, 500, { sharedBudget: true }),
        member('D', 10_000, 4_000, 200, { lifetimeBudget: 10_000 }),
        member('E', 5_000, 1_000, 0, { platformStatus: 'PAUSED' }),
      ],
      S,
      NOW,
    );
    // Left: 60,000 − 31,500 = 28,500; C and D keep spending (5,500 + 2,200), E spends nothing: A gets 20,800 / 11.
    expect(p.changes).toEqual([{ campaignId: 'A', from: 1000, to: 1200 }]);
    expect(p.note).toContain('Held: C (shared budget), D (lifetime budget), E (paused).');
    expect(p.projectedSpend).toBe(31_500 + 11_000 + 5_500 + 2_200);
    // A card whose title says where the pool lands keeps the rest: the step cap, then who is held.
    expect(poolNoteDetail(p.note)).toBe(
      'Each change moves a daily budget by at most 20 %: later runs go on. Held: C (shared budget), D (lifetime budget), E (paused).',
    );
    expect(poolNoteDetail("2 changes land it at 100.0 % of 90,000.00 EUR (at today's rates 103.3 %).")).toBe('');
  });

  it.each([
    [100_400, 100_000, '100.4 %'],
    [100_450, 100_000, '100.5 %'],
    [99_949, 100_000, '99.9 %'],
    [55_800, 60_000, '93.0 %'],
  ])('says %s of a %s pool as %s', (value, budget, out) => {
    expect(shareOfPool(value, budget)).toBe(out);
  });

  it('does not give more to a member that does not spend its budget, and cuts one only below what it spends', () => {
    // L spends 500 of its 1,000 a day: more budget would not be spent.
    const up = rebalancePool(
      'P',
      [member('A', 40_000, 20_000, 1000), member('L', 20_000, 10_000, 500, { dailyBudget: 1000 })],
      S,
      NOW,
    );
    expect(up.changes).toEqual([{ campaignId: 'A', from: 1000, to: 1200 }]);
    // The pool over-delivers: L's 1,000 may go to 800 at most, still above its 500, so it is left as it is.
    const down = rebalancePool(
      'P',
      [member('A', 20_000, 15_000, 1000), member('L', 15_000, 11_000, 500, { dailyBudget: 1000 })],
      S,
      NOW,
    );
    expect(down.changes).toEqual([{ campaignId: 'A', from: 1000, to: 800 }]);
  });

  it('rounds to the currency’s minor unit: whole yen', () => {
    const yen = { planCurrency: 'JPY', platformCurrency: 'JPY' };
    const p = rebalancePool(
      'JP',
      [member('A', 3_000_000, 2_000_000, 100_000, yen), member('B', 1_000_000, 650_000, 33_333, yen)],
      S,
      NOW,
    );
    for (const c of p.changes) expect(Number.isInteger(c.to)).toBe(true);
    expect(p.currency).toBe('JPY');
    expect(p.note).toMatch(/of 4,000,000 JPY/);
  });

  it('leaves a pool mixing currencies alone, and says so', () => {
    const p = rebalancePool(
      'P',
      [
        member('A', 30_000, 20_000, 1000),
        member('B', 30_000, 20_000, 1000, { planCurrency: 'GBP', platformCurrency: 'GBP' }),
      ],
      S,
      NOW,
    );
    expect(p).toEqual({
      pool: 'P',
      currency: null,
      budget: null,
      actualSpend: null,
      projectedSpend: null,
      projectedAfter: null,
      changes: [],
      note: 'Mixes currencies (EUR, GBP): left alone.',
    });
  });

  it('counts a member whose platform reports another currency than its plan as mixing', () => {
    const p = rebalancePool('P', [member('A', 30_000, 20_000, 1000, { platformCurrency: 'USD' })], S, NOW);
    expect(p.note).toBe('Mixes currencies (EUR, USD): left alone.');
  });

  it('counts a plan row naming no currency beside rows that do as mixing; a pool naming none at all is one', () => {
    const some = rebalancePool(
      'P',
      [
        member('A', 30_000, 20_000, 1000),
        member('B', 30_000, 20_000, 1000, { planCurrency: null, platformCurrency: null }),
      ],
      S,
      NOW,
    );
    expect(some.note).toBe('Mixes currencies (EUR, no currency): left alone.');
    const none = rebalancePool(
      'P',
      [member('A', 30_000, 20_000, 1300, { planCurrency: null, platformCurrency: null })],
      S,
      NOW,
    );
    expect(none).toMatchObject({
      currency: null,
      budget: 30_000,
      changes: [{ campaignId: 'A', from: 1300, to: 1040 }],
    });
  });

  it('leaves a pool whose budgets add up to 0 alone', () => {
    const p = rebalancePool('P', [member('A', 0, 0, 0)], S, NOW);
    expect(p).toMatchObject({ budget: 0, changes: [], note: 'Its budgets add up to 0: left alone.' });
  });

  it('leaves a pool alone when a member’s budget or spend is unknown', () => {
    expect(
      rebalancePool('P', [member('A', 30_000, 20_000, 1000), member('B', 0, 0, 0, { budget: null })], S, NOW).note,
    ).toBe('B has no plan budget: left alone.');
    const unmatched = rebalancePool(
      'P',
      [member('A', 30_000, 20_000, 1000), member('B', 10_000, 0, 0, { actualSpend: null, forecast: null })],
      S,
      NOW,
    );
    expect(unmatched).toMatchObject({ budget: 40_000, changes: [] });
    expect(unmatched.note).toBe('The spend of B is unknown (no platform campaign reports it): left alone.');
  });

  it('makes no change to a pool on course', () => {
    const p = rebalancePool('P', [member('A', 60_000, 38_000, 2000), member('B', 60_000, 38_000, 2000)], S, NOW);
    expect(p.changes).toEqual([]);
    expect(p.projectedAfter).toBe(120_000);
    expect(p.note).toBe("No change: at today's rates it ends at 100.0 % of 120,000.00 EUR.");
  });
});

describe('when a run asks about a pool', () => {
  it('misses by at least BUDGET_TRIGGER_PCT, with changes to make', () => {
    const over = rebalancePool('P', [member('A', 30_000, 20_000, 1300)], S, NOW); // ends at 34,300: +14.33 %
    expect(poolMissPct(over)).toBe(14.33);
    expect(poolNeedsRebalance(over, 10)).toBe(true);
    expect(poolNeedsRebalance(over, 14.34)).toBe(false);
    const mixed = rebalancePool('P', [member('A', 30_000, 20_000, 1000, { platformCurrency: 'USD' })], S, NOW);
    expect(poolMissPct(mixed)).toBeNull();
    expect(poolNeedsRebalance(mixed, 0)).toBe(false);
  });
});

describe('groupPools', () => {
  it('groups rows by pool in first-seen order, leaving rows without one out', () => {
    const rows = [{ id: 1, budgetPool: 'B' }, { id: 2 }, { id: 3, budgetPool: 'A' }, { id: 4, budgetPool: 'B' }];
    const pools = groupPools(rows);
    expect([...pools.keys()]).toEqual(['B', 'A']);
    expect(pools.get('B')?.map((r) => r.id)).toEqual([1, 4]);
  });
});
