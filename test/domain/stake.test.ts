// Most at stake first, across currencies: a share of the flight's budget, never a raw amount in one currency against
// one in another (SPEC, Explanations: the capped calls; the digest's biggest case; replay's order).
import { describe, expect, it } from 'vitest';
import { byStake, type Staked, stakeShare } from '../../src/domain/stake.js';

const row = (key: string, r: Partial<Staked>): Staked => ({
  key,
  actualSpend: 0,
  targetSpend: 0,
  budget: null,
  currency: 'EUR',
  platformCurrency: 'EUR',
  ...r,
});

describe('stakeShare', () => {
  it.each<[string, Partial<Staked>, number | null]>([
    ['off plan over the flight budget', { actualSpend: 1200, targetSpend: 1000, budget: 4000 }, 0.05],
    ['under plan counts the same way', { actualSpend: 800, targetSpend: 1000, budget: 4000 }, 0.05],
    [
      'JPY: a large amount, a small share',
      { actualSpend: 2_500_000, targetSpend: 2_000_000, budget: 50_000_000, currency: 'JPY', platformCurrency: 'JPY' },
      0.01,
    ],
    ['no budget: the share of the target to date', { actualSpend: 1500, targetSpend: 1000 }, 0.5],
    [
      'the platform states no currency',
      { actualSpend: 1500, targetSpend: 1000, budget: 5000, platformCurrency: null },
      0.1,
    ],
    ['nothing planned yet, some spend', { actualSpend: 10, targetSpend: 0 }, Number.POSITIVE_INFINITY],
    ['nothing planned, nothing spent', { actualSpend: 0, targetSpend: 0 }, 0],
    [
      'plan in EUR, spend in USD: not comparable',
      { actualSpend: 5400, targetSpend: 4800, budget: 10000, platformCurrency: 'USD' },
      null,
    ],
    ['no plan (an orphan)', { actualSpend: 300, targetSpend: null }, null],
    ['no spend read', { actualSpend: null, targetSpend: 1000, budget: 4000 }, null],
  ])('%s', (_, r, share) => {
    expect(stakeShare(row('x', r))).toBe(share);
  });
});

describe('byStake', () => {
  it.each<[string, Staked[], string[]]>([
    [
      'a bigger share first, whatever the currency',
      [
        row('jpy', {
          actualSpend: 2_500_000,
          targetSpend: 2_000_000,
          budget: 50_000_000,
          currency: 'JPY',
          platformCurrency: 'JPY',
        }),
        row('eur', { actualSpend: 8000, targetSpend: 4000, budget: 40_000 }),
      ],
      ['eur', 'jpy'],
    ],
    [
      'a mismatched currency after every comparable row, never by its difference',
      [
        row('mixed', { actualSpend: 5400, targetSpend: 4800, budget: 100, platformCurrency: 'USD' }),
        row('small', { actualSpend: 1010, targetSpend: 1000, budget: 10_000 }),
      ],
      ['small', 'mixed'],
    ],
    [
      'ties and rows without a share by key',
      [
        row('b', { targetSpend: null }),
        row('a', { targetSpend: null }),
        row('d', { actualSpend: 1, targetSpend: 0 }),
        row('c', { actualSpend: 2, targetSpend: 0 }),
      ],
      ['c', 'd', 'a', 'b'],
    ],
  ])('%s', (_, rows, keys) => {
    expect([...rows].sort(byStake).map((r) => r.key)).toEqual(keys);
  });
});
