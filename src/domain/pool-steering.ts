// A run's budget pools (SPEC, Steering budgets: Pools): each pool's rebalance from the policy's rows and the
// platforms' budget facts, and which pools a run asks about — one batch question per pool that misses its total by
// BUDGET_TRIGGER_PCT or more. Pure; its members then get no single-campaign proposal that run.
import type { Assessment } from './assess.js';
import type { BudgetSettings } from './budget.js';
import type { PolicyOutcome } from './intents.js';
import { formatMoney } from './money.js';
import {
  type PoolMember,
  type PoolRebalance,
  poolMissPct,
  poolNeedsRebalance,
  rebalancePool,
  shareOfPool,
} from './pools.js';
import type { PlanRow, PlatformCampaign } from './types.js';

/** One pool the run asks about: its rebalance, the row indices of its members, and those that change. */
export interface PoolQuestion {
  rebalance: PoolRebalance;
  /** Every member's row index: none of them gets a single-campaign proposal this run. */
  members: number[];
  /** The members whose budgets change, in the rebalance's order. */
  changes: number[];
  reason: string;
  /** An open question about this pool: not asked again. */
  open: string | null;
}

export interface PoolPlan {
  rebalances: PoolRebalance[];
  questions: PoolQuestion[];
  /** Open pool questions whose pool no longer misses its total (or none of whose changes stands any more). */
  close: { escalationId: string; key: string; note: string }[];
  /** Members (row keys) of an open pool question its rebalance no longer changes: approving leaves them alone. */
  drop: { escalationId: string; key: string }[];
}

/**
 * Every pool of the plan, rebalanced; the ones to ask about. `openPool` gives the open pool question a member's
 * row key belongs to, if any.
 */
export function planPools(input: {
  plan: PolicyOutcome;
  planRows: readonly PlanRow[];
  campaigns: ReadonlyMap<string, PlatformCampaign>;
  budgets: BudgetSettings;
  openPool: (rowKey: string) => string | null;
  /**
   * Why what the store remembers holds a member's budget as it is (a person's restore or no within their window,
   * the agent's own change within 24 h), or null.
   */
  remembered?: (a: Assessment) => string | null;
  now: string;
}): PoolPlan {
  const out: PoolPlan = { rebalances: [], questions: [], close: [], drop: [] };
  const poolOf = new Map<string, string>();
  for (const r of input.planRows) if (r.budgetPool !== undefined) poolOf.set(`plan:${r.campaignId}`, r.budgetPool);
  if (poolOf.size === 0) return out;
  const pools = new Map<string, { rows: number[]; members: PoolMember[] }>();
  input.plan.rows.forEach((p, i) => {
    const pool = poolOf.get(p.row.key);
    if (pool === undefined || p.row.campaignId === null) return;
    const entry = pools.get(pool) ?? { rows: [], members: [] };
    entry.rows.push(i);
    // A member being paused this run, or asked about pausing, is held: a pause and a budget change never fight.
    // One paused now spends no more; one asked about goes on spending until someone decides.
    const halting = p.intent.do === 'pause' || p.row.action === 'halt';
    const asked = p.row.action === 'escalate' && p.row.proposedAction === 'halt';
    // A person who restored its budget, or said no to changing it, is not overridden within their window; a
    // budget changed less than 24 h ago is not changed again yet.
    const remembered = halting || asked ? null : (input.remembered?.(p.row) ?? null);
    const heldFor = asked ? 'asked about pausing it' : remembered;
    entry.members.push({
      ...memberOf(p.row, input.campaigns),
      ...(halting ? { platformStatus: 'PAUSED' as const } : heldFor !== null ? { heldFor } : {}),
    });
    pools.set(pool, entry);
  });
  for (const [pool, { rows, members }] of pools) {
    const rebalance = rebalancePool(pool, members, input.budgets, input.now);
    out.rebalances.push(rebalance);
    const open = rows
      .map((i) => input.plan.rows[i]?.row.key)
      .reduce<string | null>((found, key) => found ?? (key === undefined ? null : input.openPool(key)), null);
    const needed = input.budgets.actions !== 'off' && poolNeedsRebalance(rebalance, input.budgets.triggerPct);
    if (!needed) {
      if (open)
        out.close.push({
          escalationId: open,
          key: `pool:${pool}`,
          note:
            input.budgets.actions === 'off'
              ? 'no longer asked: BUDGET_ACTIONS is off'
              : 'no longer needed: the pool is on course',
        });
      continue;
    }
    const index = new Map(rows.map((i) => [input.plan.rows[i]?.row.campaignId, i]));
    const changes = rebalance.changes.map((c) => index.get(c.campaignId)).filter((i): i is number => i !== undefined);
    // A question left with no change standing is closed, and today's rebalance asked in its place.
    const standing = open !== null && !closedAsFallen(out, open, rows, rebalance, input) ? open : null;
    out.questions.push({ rebalance, members: rows, changes, reason: poolReason(rebalance), open: standing });
  }
  return out;
}

/**
 * The members of an open pool question that today's rebalance no longer changes (being paused now, held, or no
 * longer worth a change) leave it: a pause and a budget change never fight, and approving applies only the changes
 * still standing. A question none of whose changes stands is closed (true).
 */
function closedAsFallen(
  out: PoolPlan,
  open: string,
  rows: readonly number[],
  rebalance: PoolRebalance,
  input: Pick<Parameters<typeof planPools>[0], 'plan' | 'openPool'>,
): boolean {
  const changing = new Set(rebalance.changes.map((c) => c.campaignId));
  const asked = rows
    .map((i) => input.plan.rows[i]?.row)
    .filter((r): r is Assessment => r !== undefined && input.openPool(r.key) === open);
  const fallen = asked.filter((r) => !changing.has(r.campaignId as string));
  if (fallen.length === 0) return false;
  if (fallen.length < asked.length) {
    for (const r of fallen) out.drop.push({ escalationId: open, key: r.key });
    return false;
  }
  out.close.push({
    escalationId: open,
    key: `pool:${rebalance.pool}`,
    note: 'replaced: none of its changes stands any more, so the pool is asked about afresh',
  });
  return true;
}

/** "Rebalance DE Sneakers: 4 changes, lands at 100.4 % of 120,000.00 EUR (at today's rates 112.0 %)." */
function poolReason(r: PoolRebalance): string {
  const n = r.changes.length;
  const pct = (v: number | null) => (v === null || r.budget === null ? '?' : shareOfPool(v, r.budget));
  const miss = poolMissPct(r);
  return `Rebalance ${r.pool}: ${n} change${n === 1 ? '' : 's'}, lands at ${pct(r.projectedAfter)} of ${formatMoney(r.budget ?? 0, r.currency)} (at today's rates ${pct(r.projectedSpend)}${miss === null ? '' : `, ${miss > 0 ? '+' : ''}${miss} %`}).`;
}

function memberOf(a: Assessment, campaigns: ReadonlyMap<string, PlatformCampaign>): PoolMember {
  const c = a.platformCampaignId === null ? undefined : campaigns.get(`${a.platform}:${a.platformCampaignId}`);
  return {
    campaignId: a.campaignId as string,
    planCurrency: a.planCurrency,
    platformCurrency: a.platformCurrency,
    startDate: a.startDate as string,
    endDate: a.endDate as string,
    timeZone: a.timeZone,
    budget: a.budget,
    actualSpend: a.actualSpend,
    forecast: a.forecast,
    platformStatus: a.platformStatus,
    dailyBudget: c?.dailyBudget ?? null,
    sharedBudget: c?.sharedBudget,
    lifetimeBudget: c?.lifetimeBudget,
  };
}
