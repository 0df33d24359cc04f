// `pacing optimise [--pool <name>]`: the daily budgets that land each budget pool on its total, as the latest run
// proposed them (SPEC, Steering budgets: Pools). Proposes only; `run` asks about the pools that miss.
import { formatMoney } from '../domain/money.js';
import type { PoolRebalance } from '../domain/pools.js';
import type { ReadApp } from '../open.js';
import { type Io, json, type Options } from './commands.js';

export function optimise(app: ReadApp, o: Options, io: Io): void {
  const found = app.reads.pools(o.pool);
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
  io.out(pools.map(poolText).join('\n\n'));
}

function poolText(p: PoolRebalance): string {
  const money = (v: number | null) => (v === null ? '—' : formatMoney(v, p.currency));
  const lines = [
    `${p.pool}  budget ${money(p.budget)}  spent ${money(p.actualSpend)}  at today's rates ${money(p.projectedSpend)}  after ${money(p.projectedAfter)}`,
  ];
  const width = Math.max(8, ...p.changes.map((c) => c.campaignId.length));
  for (const c of p.changes)
    lines.push(`  ${c.campaignId.padEnd(width)}  ${money(c.from).padStart(14)} → ${money(c.to).padStart(14)}`);
  lines.push(`  ${p.note}`);
  return lines.join('\n');
}
