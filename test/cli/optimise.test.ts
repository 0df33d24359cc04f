// `pacing optimise` as text: a pool's totals, its changes and the agent's note, within the terminal's width.
import { describe, expect, it } from 'vitest';
import { poolText } from '../../src/cli/optimise.js';
import type { PoolRebalance } from '../../src/domain/pools.js';

const pool: PoolRebalance = {
  pool: 'DE Boots',
  currency: 'EUR',
  budget: 60_000,
  actualSpend: 38_000,
  projectedSpend: 52_850,
  projectedAfter: 55_820,
  changes: [
    { campaignId: 'ACM-G-020', from: 650, to: 780 },
    { campaignId: 'ACM-M-020', from: 280, to: 336 },
  ],
  note: "2 changes land it at 93.0 % of 60,000.00 EUR (at today's rates 88.1 %). Each change moves a daily budget by at most 20 %: later runs go on.",
};

describe('optimise text', () => {
  it.each([80, 120])('fits %i columns, saying what each total is', (columns) => {
    const lines = poolText(pool, columns).split('\n');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(columns);
    const text = lines.map((l) => l.trim()).join(' ');
    expect(text).toContain("at today's rates 52,850.00 EUR");
    expect(text).toContain('with these changes 55,820.00 EUR');
    expect(text).toContain('Each change moves a daily budget by at most 20 %: later runs go on.');
    expect(lines.some((l) => /^ {2}ACM-G-020 +650\.00 EUR → +780\.00 EUR$/.test(l))).toBe(true);
  });
});
