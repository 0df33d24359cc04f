// The daily-budget proposals in the terminal: under the forecast table after `run` / `status`, and in
// `status <campaign>`; proposals come from the domain's own rule.
import { describe, expect, it } from 'vitest';
import { campaignDetail, displayWidth, forecastTable, TERMINAL_WIDTH } from '../../src/cli/format.js';
import { type BudgetRow, proposeBudget } from '../../src/domain/budget.js';
import type { ResultRow } from '../../src/domain/records.js';
import type { Forecast } from '../../src/domain/types.js';
import { row } from './rows.js';

const NOW = '2026-11-20T10:00:00Z';
/** 15,000 EUR for 1–30 Nov, ends 14.67 % over at 700 a day; 500 a day lands it. */
const FORECAST: Forecast = {
  dailyRunRate: 700,
  projectedSpend: 17_200,
  budget: 15_000,
  projectedVariancePct: 14.67,
  daysLeft: 11,
  recommendedDailyBudget: 500,
  basis: 'last_7_days',
};

function proposed(o: Partial<ResultRow>, budget: Partial<BudgetRow> & { dailyBudget: number }): ResultRow {
  const r = row({ forecast: FORECAST, variancePct: 12, severity: 'warning', action: 'alert', ...o });
  const p = proposeBudget({ ...r, ...budget }, { triggerPct: 10, maxChangePct: 20 }, NOW);
  if (!p) throw new Error('the rule gave no proposal');
  return { ...r, budgetProposal: p };
}

const plain = proposed({ campaignId: 'ACM-G-020' }, { dailyBudget: 550 });
const stepped = proposed({ campaignId: 'ACM-G-021' }, { dailyBudget: 700 });
const shared = proposed({ campaignId: 'ACM-G-022' }, { dailyBudget: 550, sharedBudget: true });
const none = row({ campaignId: 'ACM-G-023', forecast: FORECAST });

describe('the forecast table after run and status', () => {
  const text = forecastTable([plain, stepped, shared, none]) ?? '';

  it('lists each proposal under the table, a step with what it steps toward, advice as advice', () => {
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('Daily budgets'));
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1)).toEqual([
      '  ACM-G-020  → 500.00 EUR a day',
      '  ACM-G-021  → 560.00 EUR a day (step toward 500.00)',
      '  ACM-G-022  advice: shared budget',
    ]);
  });

  it('fits the terminal even with a long campaign id', () => {
    const long = proposed({ campaignId: `ACM-${'X'.repeat(60)}` }, { dailyBudget: 700 });
    for (const l of (forecastTable([long]) ?? '').split('\n'))
      expect(displayWidth(l)).toBeLessThanOrEqual(TERMINAL_WIDTH);
  });

  it('says nothing about budgets when no row has a proposal', () => {
    expect(forecastTable([none])).not.toContain('Daily budgets');
  });

  it("shows this run's change instead of the proposal", () => {
    const changed = { ...plain, budgetChange: { from: 550, to: 500, status: 'changed' as const } };
    expect(forecastTable([changed])).toContain('  ACM-G-020  changed: 550.00 EUR → 500.00 EUR a day');
  });
});

describe('status <campaign>', () => {
  it('shows the proposal, today’s budget and the reason', () => {
    const text = campaignDetail(stepped, null);
    expect(text).toContain('  daily budget      → 560.00 EUR a day (step toward 500.00) (now 700.00 EUR)');
    expect(text).toContain('Step toward 500.00 EUR a day');
  });

  it('shows advice with why the agent will not change it', () => {
    const text = campaignDetail(shared, null);
    expect(text).toContain('  daily budget      advice: shared budget');
    expect(text).toContain('shares its budget with other campaigns');
  });

  it('shows no budget line without a proposal', () => {
    expect(campaignDetail(none, null)).not.toContain('daily budget');
  });
});
