// Which row has the most at stake, across currencies: the explanations' cap, the digest's biggest case and replay's
// order all rank by it. There is no exchange rate in the app, so a raw amount never outranks one in another
// currency: 500,000 JPY off plan is not more than 4,000 EUR. The measure is the share of the flight's budget.
import type { Assessment } from './assess.js';

export type Staked = Pick<
  Assessment,
  'key' | 'actualSpend' | 'targetSpend' | 'budget' | 'currency' | 'platformCurrency'
>;

/** Spend and plan are in one currency (or one side does not say): only then do they subtract. */
export const spendComparable = (r: Pick<Assessment, 'currency' | 'platformCurrency'>): boolean =>
  r.currency === null || r.platformCurrency === null || r.currency === r.platformCurrency;

/**
 * How much of its flight a row's spend is off plan: |actual − target| ÷ the flight's budget, or ÷ the target to
 * date when the plan states no budget. Null when it cannot be told: no plan or no spend, or spend in another
 * currency than the plan.
 */
export function stakeShare(r: Staked): number | null {
  if (!spendComparable(r) || r.actualSpend === null || r.targetSpend === null) return null;
  const off = Math.abs(r.actualSpend - r.targetSpend);
  if (r.budget !== null && r.budget > 0) return off / r.budget;
  if (r.targetSpend > 0) return off / r.targetSpend;
  // Nothing planned yet: any spend is wholly off plan.
  return off > 0 ? Number.POSITIVE_INFINITY : 0;
}

/**
 * Most at stake first: the larger share of the flight's budget off plan; rows whose share cannot be told (another
 * currency, no plan) after every row whose share can; ties by key, so runs agree.
 */
export function byStake(a: Staked, b: Staked): number {
  const x = stakeShare(a);
  const y = stakeShare(b);
  if (x !== y) {
    if (x === null) return 1;
    if (y === null) return -1;
    return x > y ? -1 : 1;
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
