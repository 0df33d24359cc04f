// What a run's results add up to for a reader of the digest or App Home: money at stake per currency, the
// biggest over- and underspends, what changed against an earlier run, chronic offenders, forecasts that miss.
import { formatMoney, round2 } from './money.js';
import type { BatchMember, Escalation, ResultRow } from './records.js';
import { tooEarlyToJudge } from './standing.js';

/** Off plan = warning or critical (SPEC, Severity); healthy rows and rows without a variance are not. */
export const isOffPlan = (r: Pick<ResultRow, 'severity'>): boolean =>
  r.severity === 'warning' || r.severity === 'critical';

/** |actual − target| of an off-plan row (the money the variance is about), 0 for the rest. */
export function atStake(r: ResultRow): number {
  if (!isOffPlan(r) || r.actualSpend === null || r.targetSpend === null) return 0;
  return Math.abs(r.actualSpend - r.targetSpend);
}

export interface MoneyAtStake {
  currency: string | null;
  /** over + under. */
  amount: number;
  /** Spent beyond the plan to date. */
  over: number;
  /** Not spent that the plan expected by now. */
  under: number;
  campaigns: number;
}

/**
 * Money at stake per currency over the off-plan rows, biggest first. Never summed across currencies: there is no
 * exchange rate in the app, and "12,000 EUR + 9,000 GBP" as one number would be wrong.
 */
export function moneyAtStake(rows: readonly ResultRow[]): MoneyAtStake[] {
  const sums = new Map<string | null, MoneyAtStake>();
  for (const r of rows) {
    const amount = atStake(r);
    if (amount === 0) continue;
    const m = sums.get(r.currency) ?? { currency: r.currency, amount: 0, over: 0, under: 0, campaigns: 0 };
    if ((r.actualSpend ?? 0) > (r.targetSpend ?? 0)) m.over += amount;
    else m.under += amount;
    m.amount += amount;
    m.campaigns += 1;
    sums.set(r.currency, m);
  }
  return [...sums.values()]
    .map((m) => ({ ...m, amount: round2(m.amount), over: round2(m.over), under: round2(m.under) }))
    .sort((a, b) => b.amount - a.amount || String(a.currency).localeCompare(String(b.currency)));
}

type Stake = Pick<BatchMember, 'currency' | 'actualSpend' | 'targetSpend'>;

/**
 * What one campaign of a question puts at stake: |actual − target|; spend with no plan counts whole, a plan whose
 * campaign shows no spend its target to date. The measure batches rank their members by.
 */
const stakeOf = (m: Stake): number =>
  m.actualSpend === null ? (m.targetSpend ?? 0) : Math.abs(m.actualSpend - (m.targetSpend ?? 0));

/** Money at stake per currency over a question's campaigns, biggest first: never summed across currencies. */
export function stakeByCurrency(members: readonly Stake[]): { currency: string | null; amount: number }[] {
  const sums = new Map<string | null, number>();
  for (const m of members) sums.set(m.currency, (sums.get(m.currency) ?? 0) + stakeOf(m));
  return [...sums]
    .map(([currency, amount]) => ({ currency, amount: round2(amount) }))
    .sort((a, b) => b.amount - a.amount || String(a.currency).localeCompare(String(b.currency)));
}

/**
 * The money an open question is about (for `pending` in the CLI, Slack and App Home): a batch's standing members,
 * or the one campaign. Spend that cannot be compared with its plan (another currency, no plan) is the spend itself,
 * in the currency it was spent in.
 */
export function questionAtStake(
  e: Pick<Escalation, 'snapshot' | 'batch'>,
): { currency: string | null; amount: number }[] {
  if (e.batch) return stakeByCurrency(e.batch.members.filter((m) => !m.dropped));
  const r = e.snapshot;
  const comparable = r.variancePct !== null || r.actualSpend === null;
  return stakeByCurrency([
    comparable
      ? { currency: r.currency, actualSpend: r.actualSpend, targetSpend: r.targetSpend }
      : { currency: r.platformCurrency ?? r.currency, actualSpend: r.actualSpend, targetSpend: null },
  ]);
}

/** "12,360.00 EUR · 4,836.00 USD": money at stake as every surface writes it, biggest first, never summed. */
export function moneyAtStakeText(m: readonly Pick<MoneyAtStake, 'currency' | 'amount'>[]): string {
  return m
    .map((x) => (x.currency ? formatMoney(x.amount, x.currency) : `${formatMoney(x.amount)} (currency unknown)`))
    .join(' · ');
}

/**
 * The biggest off-plan variances in one direction, largest first. Ranked by percent (comparable across
 * currencies); overspends and underspends are separate lists, since they call for opposite actions.
 */
export function biggestVariances(rows: readonly ResultRow[], direction: 'over' | 'under', n: number): ResultRow[] {
  const sign = direction === 'over' ? 1 : -1;
  return rows
    .filter((r) => isOffPlan(r) && r.variancePct !== null && sign * r.variancePct > 0)
    .sort((a, b) => sign * ((b.variancePct ?? 0) - (a.variancePct ?? 0)) || atStake(b) - atStake(a))
    .slice(0, n);
}

export interface RunChanges {
  /** Critical now, and not critical in the earlier run (or not in it at all). */
  newCriticals: ResultRow[];
  /** Off plan in the earlier run (`before`), healthy now (`row`). */
  resolved: { row: ResultRow; before: ResultRow }[];
}

/** What changed between an earlier run and a later one, campaign by campaign (rows matched on their key). */
export function runChanges(then: readonly ResultRow[], now: readonly ResultRow[]): RunChanges {
  const before = new Map(then.map((r) => [r.key, r]));
  const newCriticals: ResultRow[] = [];
  const resolved: RunChanges['resolved'] = [];
  for (const r of now) {
    const earlier = before.get(r.key);
    if (r.severity === 'critical' && earlier?.severity !== 'critical') newCriticals.push(r);
    if (r.severity === 'healthy' && earlier && isOffPlan(earlier)) resolved.push({ row: r, before: earlier });
  }
  newCriticals.sort((a, b) => Math.abs(b.variancePct ?? 0) - Math.abs(a.variancePct ?? 0));
  return { newCriticals, resolved };
}

/**
 * Chronic offenders: off plan in this run AND chronic by the run history the agent keeps with each row
 * (domain/history.ts: off plan in at least 3 of its last runs — up to 10 within 14 days — and in at least half
 * of them). One rule with the cards and the CLI; a campaign that is healthy now counts as resolved, not chronic.
 * Most off-plan runs first, then the biggest variance.
 */
export function chronicOffenders(rows: readonly ResultRow[]): ResultRow[] {
  return rows
    .filter((r) => isOffPlan(r) && r.history?.chronic === true)
    .sort(
      (a, b) =>
        (b.history?.offPlanRuns ?? 0) - (a.history?.offPlanRuns ?? 0) ||
        Math.abs(b.variancePct ?? 0) - Math.abs(a.variancePct ?? 0),
    );
}

/**
 * Rows whose forecast ends the flight beyond the healthy band around the budget (|projected variance| above
 * `healthyVariance` percent), furthest first: at this rate they will miss their budget, over or under. A flight
 * hours old is left out: its rate so far (often nothing) says nothing about where it ends.
 */
export function forecastMisses(rows: readonly ResultRow[], healthyVariance: number): ResultRow[] {
  return rows
    .filter((r) => r.forecast && Math.abs(r.forecast.projectedVariancePct) > healthyVariance && !tooEarlyToJudge(r))
    .sort((a, b) => Math.abs(b.forecast?.projectedVariancePct ?? 0) - Math.abs(a.forecast?.projectedVariancePct ?? 0));
}
