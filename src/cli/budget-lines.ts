// The daily-budget proposals in the terminal, beside the forecast they come from: "→ 1,117.09 EUR a day (step
// toward 931.00)", "advice: shared budget". Text only; `--json` carries the rows' own `budgetProposal`.
import type { PoolChange } from '../agent/reads.js';
import { proposalShort } from '../domain/budget-outlook.js';
import { formatMoney } from '../domain/money.js';
import type { ResultRow } from '../domain/records.js';
import { clip } from './text.js';

/** The widest campaign label the list gives room to before clipping: the lines fit 80 columns. */
const LABEL_WIDTH = 24;

/** One row's proposal (or this run's change) in a few words; null when it has neither. */
export function budgetShort(r: Pick<ResultRow, 'budgetProposal' | 'budgetChange' | 'currency'>): string | null {
  const c = r.budgetChange;
  const p = r.budgetProposal;
  const cur = p?.currency ?? r.currency;
  if (c) {
    const span = `${formatMoney(c.from, cur)} → ${formatMoney(c.to, cur)} a day`;
    if (c.status === 'changed') return `changed: ${span}`;
    if (c.status === 'would_change') return `would change (dry run): ${span}`;
    if (c.status === 'failed') return `change FAILED: ${span}`;
  }
  if (!p) return null;
  return proposalShort(p);
}

/** The lines under the forecast table: one per row with a proposal or a change; none when no row has one. */
export function budgetProposalLines(rows: readonly ResultRow[], label: (r: ResultRow) => string): string[] {
  const listed = rows
    .map((r) => ({ r, text: budgetShort(r) }))
    .filter((x): x is { r: ResultRow; text: string } => x.text !== null);
  if (listed.length === 0) return [];
  const width = Math.min(LABEL_WIDTH, Math.max(...listed.map((x) => label(x.r).length)));
  return [
    '',
    'Daily budgets (BUDGET_ACTIONS: off shows them, ask asks, auto acts):',
    ...listed.map((x) => `  ${clip(label(x.r), width).padEnd(width)}  ${x.text}`),
  ];
}

/** `status <campaign>`: the proposal with its reason, and what this run did. */
export function budgetDetailLines(r: ResultRow): string[] {
  const short = budgetShort(r);
  if (!short) return [];
  const p = r.budgetProposal;
  const now = p && !r.budgetChange ? ` (now ${formatMoney(p.from, p.currency)})` : '';
  return [`  daily budget      ${short}${now}`, ...(p ? [`${''.padEnd(20)}${p.reason}`] : [])];
}

/** `status <campaign>`: what its budget pool's rebalance does to its daily budget, and the question asking it. */
export function poolDetailLines(c: PoolChange | null): string[] {
  if (!c) return [];
  const asked = c.escalationId
    ? `asked in ${c.escalationId}`
    : `see npx pacing optimise --pool ${/^[\w-]+$/.test(c.pool) ? c.pool : `"${c.pool}"`}`;
  return [
    `  budget pool       ${c.pool}: → ${formatMoney(c.to, c.currency)} a day (now ${formatMoney(c.from, c.currency)}), ${asked}`,
  ];
}
