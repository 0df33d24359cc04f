// `pacing optimise [--pool <name>]`: the daily budgets that land each budget pool on its total, as the latest run
// proposed them (SPEC, Steering budgets: Pools). Proposes only; `run` asks about the pools that miss.
import { formatMoney } from '../domain/money.js';
import type { PoolRebalance } from '../domain/pools.js';
import type { ReadApp } from '../open.js';
import { type Io, json, type Options } from './commands.js';
import { DEFAULT_WIDTH } from './results-table.js';
import { wrap, wrapItems } from './text.js';

export async function optimise(app: ReadApp, o: Options, io: Io): Promise<void> {
  const found = await app.reads.pools(o.pool);
  const pools = found?.pools ?? [];
  if (o.json) {
    json(io, { pools });
    return;
  }
  if (!found) {
    io.out('No pacing run yet. Start one with: npx pacing run');
    return;
  }
  if (pools.length === 0) {
    io.out(
      o.pool === undefined
        ? "No budget pools in the plan (the tracker's budget_pool column groups campaigns that share one total)."
        : `No budget pool "${o.pool}" in the latest run (${found.runId}).`,
    );
    return;
  }
  io.out(pools.map((p) => poolText(p, io.columns ?? DEFAULT_WIDTH)).join('\n\n'));
}

/** One pool: its totals, each change, and the agent's note, within `columns` (the terminal's width). */
export function poolText(p: PoolRebalance, columns: number = DEFAULT_WIDTH): string {
  const money = (v: number | null) => (v === null ? '—' : formatMoney(v, p.currency));
  const totals = [
    `budget ${money(p.budget)}`,
    `spent ${money(p.actualSpend)}`,
    `at today's rates ${money(p.projectedSpend)}`,
    `with these changes ${money(p.projectedAfter)}`,
  ];
  const lines = wrapItems([p.pool, ...totals], columns - 2, '  ').map((l, i) => (i ? `  ${l}` : l));
  const width = Math.max(8, ...p.changes.map((c) => c.campaignId.length));
  for (const c of p.changes)
    lines.push(`  ${c.campaignId.padEnd(width)}  ${money(c.from).padStart(14)} → ${money(c.to).padStart(14)}`);
  for (const l of wrap(p.note, Math.max(20, columns - 2))) lines.push(`  ${l}`);
  return lines.join('\n');
}
