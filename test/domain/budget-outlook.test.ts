// Where a flight ends with a new daily budget, the proposal in a few words, and the digest's totals.
import { describe, expect, it } from 'vitest';
import type { BudgetProposal } from '../../src/domain/budget.js';
import { projectedWithBudget, proposalShort, proposalTotals, roughMoney } from '../../src/domain/budget-outlook.js';
import type { Forecast } from '../../src/domain/types.js';

const f: Forecast = {
  dailyRunRate: 700,
  projectedSpend: 17_200,
  budget: 15_000,
  projectedVariancePct: 14.67,
  daysLeft: 11,
  recommendedDailyBudget: 500,
  basis: 'last_7_days',
};
const p = (o: Partial<BudgetProposal>): BudgetProposal => ({
  from: 1_200,
  to: 1_117.09,
  currency: 'EUR',
  recommended: 1_117.09,
  step: false,
  applicable: true,
  reason: 'Set the daily budget.',
  escalationId: null,
  ...o,
});

describe('projectedWithBudget', () => {
  it.each([
    [500, 15_000, 0],
    [700, 17_200, 14.67],
    [560, 15_660, 4.4],
    [0, 9_500, -36.67],
  ])('at %d a day the flight ends at %d (%d %%)', (daily, spend, pct) => {
    expect(projectedWithBudget(f, daily)).toEqual({ projectedSpend: spend, projectedVariancePct: pct });
  });
});

describe('proposalShort', () => {
  it.each([
    [p({}), '→ 1,117.09 EUR a day'],
    [p({ to: 1_117.09, recommended: 931, step: true }), '→ 1,117.09 EUR a day (step toward 931.00)'],
    [p({ currency: 'JPY', to: 120_000, recommended: 90_000, step: true }), '→ 120,000 JPY a day (step toward 90,000)'],
    [
      p({ applicable: false, reason: 'Advice only: the campaign shares its budget with other campaigns.' }),
      'advice: shared budget',
    ],
    [
      p({ applicable: false, reason: 'Advice only: the campaign runs on a lifetime budget of 9.00 EUR.' }),
      'advice: lifetime budget',
    ],
  ])('%#: %s', (proposal, said) => {
    expect(proposalShort(proposal)).toBe(said);
  });
});

describe('proposalTotals', () => {
  it('counts the changes the agent can make and sums the budgets of their flights per currency', () => {
    const t = proposalTotals([
      { budget: 1_000_000, budgetProposal: p({}) },
      { budget: 1_100_000, budgetProposal: p({}) },
      { budget: 50_000, budgetProposal: p({ currency: 'USD' }) },
      { budget: 70_000, budgetProposal: p({ applicable: false }) },
      { budget: 90_000, budgetProposal: null },
      { budget: 90_000 },
    ]);
    expect(t.count).toBe(3);
    expect([...t.budgets]).toEqual([
      ['EUR', 2_100_000],
      ['USD', 50_000],
    ]);
    expect(roughMoney(2_100_000, 'EUR')).toBe('2.1 M EUR');
    expect(roughMoney(120_000, 'EUR')).toBe('120,000.00 EUR');
  });
});
