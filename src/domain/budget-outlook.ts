// Where a flight ends once its daily budget changes, and the words people read about a proposal: shared by the
// Slack cards, the digest and the terminal so they say the same thing.
import type { BudgetProposal } from './budget.js';
import { formatAmount, formatMoney, round2 } from './money.js';
import type { Forecast } from './types.js';

/**
 * The flight's end at `dailyBudget` a day for the days left, from what it has spent so far. An estimate: the
 * campaign may spend less than its budget (audience, bids), and Google may spend up to twice it on one day.
 */
export function projectedWithBudget(
  f: Forecast,
  dailyBudget: number,
): { projectedSpend: number; projectedVariancePct: number } {
  const spentSoFar = f.projectedSpend - f.dailyRunRate * f.daysLeft;
  const projectedSpend = round2(spentSoFar + dailyBudget * f.daysLeft);
  return { projectedSpend, projectedVariancePct: round2(((projectedSpend - f.budget) / f.budget) * 100) };
}

/** A proposal in a few words: "→ 1,117.09 EUR a day (step toward 931.00)", or "advice: shared budget". */
export function proposalShort(p: BudgetProposal): string {
  if (!p.applicable) return `advice: ${adviceKind(p)}`;
  const step = p.step ? ` (step toward ${formatAmount(p.recommended, p.currency)})` : '';
  return `→ ${formatMoney(p.to, p.currency)} a day${step}`;
}

/** Why the proposal is advice only, in two words. */
export function adviceKind(p: BudgetProposal): string {
  if (/lifetime budget/i.test(p.reason)) return 'lifetime budget';
  if (/shares its budget|shared budget/i.test(p.reason)) return 'shared budget';
  return 'not changed by the agent';
}

/** How many proposals a set of rows carries, and the plan budgets of the flights they would land, per currency. */
export function proposalTotals(
  rows: readonly { budgetProposal?: BudgetProposal | null | undefined; budget: number | null }[],
): { count: number; budgets: Map<string, number> } {
  let count = 0;
  const budgets = new Map<string, number>();
  for (const r of rows) {
    const p = r.budgetProposal;
    // Advice the agent will not carry out lands nothing by itself: only changes it can make are counted.
    if (!p?.applicable) continue;
    count++;
    if (r.budget === null) continue;
    const key = p.currency ?? '';
    budgets.set(key, round2((budgets.get(key) ?? 0) + r.budget));
  }
  return { count, budgets };
}

/** Large sums in a line of prose: "2.1 M EUR" from a million on, else the amount as always ("120,000.00 EUR"). */
export function roughMoney(value: number, currency: string | null): string {
  if (Math.abs(value) < 1_000_000) return formatMoney(value, currency);
  const m = `${(value / 1_000_000).toFixed(1)} M`;
  return currency ? `${m} ${currency}` : m;
}
