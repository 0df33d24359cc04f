// Rebalancing a budget pool (the tracker's `budget_pool`): the daily budgets that land the pool's members, together,
// on the sum of their plan budgets (SPEC, Steering budgets: Pools). Pure: proposes, never acts.
import { type BudgetLimits, type BudgetSettings, MIN_DAYS_LEFT, stepToward } from './budget.js';
import { dayOf } from './forecast.js';
import { formatMoney, round2 } from './money.js';
import type { CampaignStatus, Forecast } from './types.js';

/** One member of a pool: its plan row's figures and its platform campaign's budget facts. */
export interface PoolMember {
  campaignId: string;
  /** The plan's currency (the row's, else PACING_CURRENCY). */
  planCurrency: string | null;
  /** The currency the platform reports in, when matched. */
  platformCurrency: string | null;
  startDate: string;
  endDate: string;
  timeZone: string | null;
  budget: number | null;
  /** Null when no platform campaign reports it (unmatched, platform down). */
  actualSpend: number | null;
  forecast: Forecast | null;
  platformStatus: CampaignStatus | null;
  dailyBudget: number | null;
  sharedBudget?: boolean | undefined;
  lifetimeBudget?: number | null | undefined;
  /** The platform's smallest daily budget and step, where stricter than the currency's minor unit. */
  limits?: BudgetLimits | undefined;
  /** Why this run holds its budget as it is, beyond its own facts (an open question about pausing it). */
  heldFor?: string | undefined;
}

export interface PoolChange {
  campaignId: string;
  from: number;
  to: number;
}

/** One pool's rebalance, in the shape `optimise --json` prints (SPEC). */
export interface PoolRebalance {
  pool: string;
  currency: string | null;
  /** The pool's plan total: the sum of its members' budgets. */
  budget: number | null;
  actualSpend: number | null;
  /** Where the pool ends at today's rates. */
  projectedSpend: number | null;
  /** Where it ends once the changes are made. */
  projectedAfter: number | null;
  changes: PoolChange[];
  note: string;
}

/**
 * A member spending less than this share of its daily budget is held back by something else (audience, bids): more
 * budget would not make it spend more, so it is not given more.
 */
export const BUDGET_BOUND_SHARE = 0.9;

const NO_CURRENCY = 'no currency';

/** Plan rows grouped by their pool, in the order pools first appear; rows without one are left out. */
export function groupPools<T extends { budgetPool?: string | undefined }>(rows: readonly T[]): Map<string, T[]> {
  const pools = new Map<string, T[]>();
  for (const r of rows) {
    if (r.budgetPool === undefined) continue;
    const members = pools.get(r.budgetPool);
    if (members) members.push(r);
    else pools.set(r.budgetPool, [r]);
  }
  return pools;
}

/** Where an amount stands against a pool's total, as people read it: "100.4 %" (one decimal, half away from 0). */
export function shareOfPool(value: number, budget: number): string {
  return `${(Math.round((value / budget) * 1000) / 10).toFixed(1)} %`;
}

/**
 * A rebalance note's sentences after its first (where the pool lands, which a card's title already says): the
 * step cap and the members held, or '' when it has neither.
 */
export function poolNoteDetail(note: string): string {
  const at = note.search(/ (Each change moves|Held: )/);
  return at < 0 ? '' : note.slice(at + 1);
}

/** How far the pool's forecast ends from its total, in percent (2 decimals); null when either is unknown. */
export function poolMissPct(p: PoolRebalance): number | null {
  if (p.budget === null || p.projectedSpend === null || !(p.budget > 0)) return null;
  return round2(((p.projectedSpend - p.budget) / p.budget) * 100);
}

/** A pool whose forecast misses its total by at least BUDGET_TRIGGER_PCT and that has changes to make. */
export function poolNeedsRebalance(p: PoolRebalance, triggerPct: number): boolean {
  const miss = poolMissPct(p);
  return miss !== null && Math.abs(miss) >= triggerPct && p.changes.length > 0;
}

interface Adjustable {
  m: PoolMember;
  from: number;
  rate: number;
  days: number;
  /** Spends its whole budget: its spend follows the budget both ways. Otherwise only a cut below its rate bites. */
  bound: boolean;
}

/**
 * The rebalance of one pool: what is left of it (Σ budget − Σ actual) over the days left, shared in proportion to
 * each member's recent delivery (its run rate), each change within MAX_BUDGET_CHANGE_PCT. Members that cannot be
 * changed (shared or lifetime budget, paused, out of flight, in their last days, no daily budget, no delivery)
 * are held and keep spending at their rate. A pool mixing currencies, or with a member whose budget or spend is
 * unknown, is left alone, the note saying why.
 */
export function rebalancePool(
  pool: string,
  members: readonly PoolMember[],
  settings: Pick<BudgetSettings, 'maxChangePct'>,
  now: string,
): PoolRebalance {
  // A plan row that names no currency beside rows that do cannot be added to them either (guard 4's rule); an
  // unmatched member's platform says nothing.
  const currencies = [
    ...new Set(
      members.flatMap((m) => [
        m.planCurrency ?? NO_CURRENCY,
        ...(m.platformCurrency === null ? [] : [m.platformCurrency]),
      ]),
    ),
  ].sort();
  const alone = (note: string, currency: string | null, budget: number | null = null) => ({
    pool,
    currency,
    budget,
    actualSpend: null,
    projectedSpend: null,
    projectedAfter: null,
    changes: [],
    note,
  });
  if (currencies.length > 1) return alone(`Mixes currencies (${currencies.join(', ')}): left alone.`, null);
  const only = currencies[0];
  const currency = only === undefined || only === NO_CURRENCY ? null : only;
  const noBudget = members.filter((m) => m.budget === null).map((m) => m.campaignId);
  if (noBudget.length > 0)
    return alone(`${list(noBudget)} ${noBudget.length > 1 ? 'have' : 'has'} no plan budget: left alone.`, currency);
  const budget = round2(members.reduce((s, m) => s + (m.budget ?? 0), 0));
  if (!(budget > 0)) return alone('Its budgets add up to 0: left alone.', currency, budget);
  const noSpend = members.filter((m) => m.actualSpend === null).map((m) => m.campaignId);
  if (noSpend.length > 0)
    return alone(
      `The spend of ${list(noSpend)} is unknown (no platform campaign reports it): left alone.`,
      currency,
      budget,
    );

  const actualSpend = round2(members.reduce((s, m) => s + (m.actualSpend ?? 0), 0));
  const held: string[] = [];
  const free: Adjustable[] = [];
  let heldFuture = 0;
  let projectedSpend = 0;
  for (const m of members) {
    const actual = m.actualSpend ?? 0;
    const future = futureSpend(m, now);
    projectedSpend += actual + future;
    const why = heldBecause(m, now);
    if (why !== null) {
      held.push(`${m.campaignId} (${why})`);
      heldFuture += future;
      continue;
    }
    const f = m.forecast as Forecast;
    const from = m.dailyBudget as number;
    free.push({ m, from, rate: f.dailyRunRate, days: f.daysLeft, bound: f.dailyRunRate >= BUDGET_BOUND_SHARE * from });
  }
  projectedSpend = round2(projectedSpend);

  // The spend the free members should make over their days left: what the held ones leave of the pool.
  const target = budget - actualSpend - heldFuture;
  const max = settings.maxChangePct;
  const spendAt = (k: number) => free.reduce((s, a) => s + rateAfter(a, proposed(a, k, max)) * a.days, 0);
  // Every free member's spend scales by one factor k (shares in proportion to delivery); k past the cap changes
  // nothing more, so it is sought within it. Spend only grows with k: halving finds it.
  let lo = 1 - max / 100;
  let hi = 1 + max / 100;
  let k: number;
  if (spendAt(hi) <= target) k = hi;
  else if (spendAt(lo) >= target) k = lo;
  else {
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (spendAt(mid) < target) lo = mid;
      else hi = mid;
    }
    k = (lo + hi) / 2;
  }

  const changes: PoolChange[] = [];
  let after = actualSpend + heldFuture;
  // At the cap's edge the pool wanted more (or less) than one step allows.
  const capped = k <= 1 - max / 100 || k >= 1 + max / 100;
  for (const a of free) {
    const { to } = stepToward(a.from, proposed(a, k, max), max, currency, a.m.limits);
    after += rateAfter(a, to) * a.days;
    // A cut that stays above what a member spends changes nothing but its budget: not worth a change.
    if (to !== a.from && (a.bound || to < a.rate)) changes.push({ campaignId: a.m.campaignId, from: a.from, to });
    else after += (a.rate - rateAfter(a, to)) * a.days;
  }
  const projectedAfter = round2(after);

  const money = (v: number) => formatMoney(v, currency);
  const pct = (v: number) => shareOfPool(v, budget);
  let note =
    changes.length === 0
      ? `No change: at today's rates it ends at ${pct(projectedSpend)} of ${money(budget)}.`
      : `${changes.length} change${changes.length > 1 ? 's' : ''} land${changes.length > 1 ? '' : 's'} it at ${pct(projectedAfter)} of ${money(budget)} (at today's rates ${pct(projectedSpend)}).`;
  if (changes.length > 0 && capped && Math.abs(projectedAfter - budget) >= 0.005 * budget)
    note += ` Each change moves a daily budget by at most ${max} %: later runs go on.`;
  if (held.length > 0) note += ` Held: ${held.join(', ')}.`;
  return { pool, currency, budget, actualSpend, projectedSpend, projectedAfter, changes, note };
}

/** The daily budget a free member is given at factor k, within one step of today's, before rounding. */
function proposed(a: Adjustable, k: number, max: number): number {
  const capped = Math.min(Math.max(k, 1 - max / 100), 1 + max / 100);
  if (a.bound) return capped * a.from;
  // Not spending its budget: more would not be spent, so it is not given more; a cut bites once below its rate.
  return capped < 1 ? Math.max(a.from * (1 - max / 100), Math.min(a.from, capped * a.rate)) : a.from;
}

/** The member's daily spend once its budget is `to`: a budget-bound one follows it, another only below its rate. */
function rateAfter(a: Adjustable, to: number): number {
  return a.bound ? (a.rate * to) / a.from : Math.min(a.rate, to);
}

/** What a member will still spend at today's rate; nothing once paused or ended, its budget before it starts. */
function futureSpend(m: PoolMember, now: string): number {
  const today = dayOf(now, m.timeZone);
  if (today > m.endDate || m.platformStatus === 'PAUSED') return 0;
  if (today < m.startDate) return Math.max(0, (m.budget ?? 0) - (m.actualSpend ?? 0));
  if (m.forecast === null) return 0;
  return Math.max(0, m.forecast.projectedSpend - (m.actualSpend ?? 0));
}

/** Why a member's budget is held as it is, or null when it may be changed. */
function heldBecause(m: PoolMember, now: string): string | null {
  if (m.heldFor !== undefined) return m.heldFor;
  if (m.sharedBudget === true) return 'shared budget';
  if (m.lifetimeBudget != null) return 'lifetime budget';
  if (m.platformStatus !== 'ENABLED') return m.platformStatus === 'PAUSED' ? 'paused' : 'not on the platform';
  const today = dayOf(now, m.timeZone);
  if (today < m.startDate) return 'not started';
  if (today > m.endDate) return 'ended';
  if (m.dailyBudget === null || !(m.dailyBudget > 0)) return 'no daily budget';
  if (m.forecast === null) return 'no forecast';
  if (m.forecast.daysLeft < MIN_DAYS_LEFT) return 'last days of its flight';
  if (!(m.forecast.dailyRunRate > 0)) return 'no recent delivery';
  return null;
}

/** Ids for a sentence: "a", "a and b", "a, b and c". */
function list(ids: readonly string[]): string {
  return ids.length <= 1 ? (ids[0] ?? '') : `${ids.slice(0, -1).join(', ')} and ${ids.at(-1)}`;
}
