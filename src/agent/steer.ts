// The run's budget lever, between the policy and recording: each eligible row's daily-budget proposal, then what
// the steering (domain/steering.ts) decided — ask, change alone, or close a question that no longer stands —
// carried out through the effects.
import { memberOf } from '../domain/batches.js';
import {
  type BudgetProposal,
  type BudgetSettings,
  DEFAULT_BUDGET_SETTINGS,
  mayChangeBudgetAgain,
} from '../domain/budget.js';
import { formatMoney } from '../domain/money.js';
import type { PolicyOutcome } from '../domain/policy.js';
import { type PoolPlan, type PoolQuestion, planPools } from '../domain/pool-steering.js';
import type { PoolRebalance } from '../domain/pools.js';
import type { Escalation, PoolFigures, ResultRow } from '../domain/records.js';
import {
  type BudgetDecision,
  type BudgetMemory,
  budgetAtStake,
  type KeptRunning,
  personsWord,
  type SteeringPlan,
  steer,
} from '../domain/steering.js';
import type { PlanRow, PlatformCampaign } from '../domain/types.js';
import { type AgentDeps, addHours, guardSettings } from './deps.js';
import { batchChanged, changeBudget, closeEscalation, dropMember, notify, openEscalation } from './effects/index.js';

/** The key a budget question is stored under: apart from the campaign's pause questions (`plan:…`). */
export const budgetKey = (rowKey: string): string => `budget:${rowKey}`;

/**
 * The budget settings in force. An agent built without them (an embedding or a test that wires its own deps) only
 * shows proposals: asking and changing budgets are switched on by the configuration (BUDGET_ACTIONS, `ask` by default).
 */
export const budgetSettings = (deps: AgentDeps): BudgetSettings =>
  deps.budgets ? { ...DEFAULT_BUDGET_SETTINGS, ...deps.budgets } : { ...DEFAULT_BUDGET_SETTINGS, actions: 'off' };

/** What the store remembers about budgets: open questions, the agent's last changes, people's restores and no's. */
export async function loadBudgetMemory(
  deps: AgentDeps,
  now: string,
  humanDecisionHours: number,
): Promise<BudgetMemory> {
  const open = new Map<string, { id: string; batch: boolean; proposedAction: 'budget' | 'rebalance' }>();
  for (const [key, q] of await deps.store.escalations.openQuestions()) {
    if ((q.proposedAction === 'budget' || q.proposedAction === 'rebalance') && key.startsWith('budget:'))
      open.set(key.slice(7), { id: q.id, batch: q.batch, proposedAction: q.proposedAction });
  }
  // The 24-hour rule and the people's window both look back from now; the longer of the two is read once.
  const since = addHours(now, -Math.max(24, humanDecisionHours));
  const humanSince = addHours(now, -humanDecisionHours);
  const lastChange = new Map<string, string>();
  const decisions = new Map<string, BudgetDecision>();
  for (const e of await deps.store.audit.budgetChangesSince(since)) {
    if (e.platform === null || e.platformCampaignId === null) continue;
    const key = `${e.platform}:${e.platformCampaignId}`;
    if (e.details.restore !== true) {
      lastChange.set(key, e.at);
      continue;
    }
    if (e.actor === 'agent' || e.at <= humanSince) continue;
    const d: BudgetDecision = {
      kind: 'restored',
      actor: e.actor,
      at: e.at,
      projectedVariancePct: typeof e.details.projectedVariancePct === 'number' ? e.details.projectedVariancePct : null,
    };
    decisions.set(key, d);
    if (e.campaignId !== null) decisions.set(`plan:${e.campaignId}`, d);
  }
  const keptRunning = new Map<string, KeptRunning>();
  for (const e of await deps.store.audit.resumesSince(humanSince)) {
    if (e.platform === null || e.platformCampaignId === null) continue;
    const kept: KeptRunning = { kind: 'resumed', actor: e.actor, at: e.at };
    keptRunning.set(`${e.platform}:${e.platformCampaignId}`, kept);
    if (e.campaignId !== null) keptRunning.set(`plan:${e.campaignId}`, kept);
  }
  for (const { key, decision } of await deps.store.escalations.decisionsSince(humanSince)) {
    if (decision.kind === 'rejected' && decision.proposedAction === 'halt')
      keptRunning.set(key, { kind: 'rejected_pause', actor: decision.actor, at: decision.at });
    // A no to a pool's rebalance is a no to each of its changes.
    const aboutBudget = decision.proposedAction === 'budget' || decision.proposedAction === 'rebalance';
    if (decision.kind !== 'rejected' || !aboutBudget || !key.startsWith('budget:')) continue;
    const rowKey = key.slice(7);
    const known = decisions.get(rowKey);
    if (known && known.at > decision.at) continue;
    decisions.set(rowKey, { kind: 'rejected', actor: decision.actor, at: decision.at, projectedVariancePct: null });
  }
  return { open, lastChange, decisions, keptRunning };
}

/** The run's budget plan: each pool's rebalance and question, and each other row's proposal and what to do with it. */
export interface BudgetPlan {
  steering: SteeringPlan;
  pools: PoolPlan;
}

/** The budget plan for a run's policy rows, given the plan (its pools) and the campaigns the platforms reported. */
export async function planSteering(
  deps: AgentDeps,
  policy: PolicyOutcome,
  planRows: readonly PlanRow[],
  campaigns: readonly PlatformCampaign[],
  now: string,
): Promise<BudgetPlan> {
  const guards = guardSettings(deps);
  const budgets = budgetSettings(deps);
  const byKey = new Map(campaigns.map((c) => [`${c.platform}:${c.id}`, c]));
  const memory = await loadBudgetMemory(deps, now, guards.humanDecisionHours);
  const pools = planPools({
    plan: policy,
    planRows,
    campaigns: byKey,
    budgets,
    openPool: (key) => {
      const q = memory.open.get(key);
      return q?.batch && q.proposedAction === 'rebalance' ? q.id : null;
    },
    remembered: (a) => {
      const word = personsWord(a, memory);
      if (word && 'held' in word) return word.held;
      const last = memory.lastChange.get(`${a.platform}:${a.platformCampaignId}`);
      return last !== undefined && !mayChangeBudgetAgain(last, now) ? `changed at ${last}` : null;
    },
    now,
  });
  // Pool members the run asks about together get no single-campaign proposal.
  const pooled = new Set(pools.questions.flatMap((q) => q.members));
  const steering = steer({ plan: policy, campaigns: byKey, memory, budgets, guards, now, pooled });
  return { steering, pools };
}

/** What acting on the steering plan opened and closed: the cycle starts and ends their threads. */
export interface Steered {
  opened: Escalation[];
  closed: Escalation[];
}

/**
 * Carries out the steering plan on the run's result rows (aligned with the policy's rows): proposals onto the
 * rows, questions closed, asked, or budgets changed alone (then alerted), and one batch question over the cap.
 */
export async function applySteering(
  deps: AgentDeps,
  runId: string,
  budgetPlan: BudgetPlan,
  results: ResultRow[],
  id: (prefix: string) => string,
): Promise<Steered> {
  const plan = budgetPlan.steering;
  const out: Steered = { opened: [], closed: [] };
  for (const c of [...plan.close, ...budgetPlan.pools.close]) {
    const closed = await closeEscalation(deps, c.escalationId, runId, c.note);
    if (closed) out.closed.push(closed);
  }
  // Batches that lost members: approving covers the changes standing now, so their messages show those.
  const shrunk = new Set<string>();
  for (const d of [...plan.drop, ...budgetPlan.pools.drop]) {
    await dropMember(deps, d.escalationId, budgetKey(d.key));
    shrunk.add(d.escalationId);
  }
  for (const escalationId of shrunk) {
    const e = await deps.store.escalations.get(escalationId);
    if (e?.batch && e.status === 'pending') await batchChanged(deps, runId, e);
  }
  for (const [i, s] of plan.rows.entries()) {
    const row = results[i];
    if (!row || !s) continue;
    row.budgetProposal = s.proposal;
    switch (s.intent.do) {
      case 'show':
        if (s.intent.note) row.budgetProposal = { ...s.proposal, reason: `${s.intent.note} ${s.proposal.reason}` };
        break;
      case 'wait':
        break;
      case 'ask':
        await ask(deps, runId, row, s.proposal, s.intent.why, id, out);
        break;
      case 'change': {
        const error = await changeAlone(deps, row);
        // A change the platform refused or did not confirm is asked, like a failed pause.
        if (error !== null)
          await ask(
            deps,
            runId,
            row,
            s.proposal,
            `The automatic budget change failed (${error}); an approver decides.`,
            id,
            out,
          );
        break;
      }
      case 'batch':
        break;
    }
  }
  const over = plan.batch.map((i) => results[i]).filter((r): r is ResultRow => r !== undefined);
  const first = over[0];
  if (first) {
    const escalationId = id('esc');
    const money = over.reduce((sum, r) => sum + budgetAtStake(r), 0);
    const e = await openEscalation(deps, {
      id: escalationId,
      runId,
      key: `batch:budget:run:${escalationId}`,
      proposed: 'budget',
      reason: `${over.length} more daily-budget changes than the agent makes alone in one run (MAX_AUTONOMOUS_BUDGET_CHANGES ${budgetSettings(deps).maxAutonomousChanges}); ${formatMoney(money, first.currency)} of forecast miss at stake.`,
      snapshot: first,
      batch: {
        kind: 'budget',
        members: over.map((r) => ({ ...memberOf(r), key: budgetKey(r.key), budget: budgetOf(r) })),
      },
    });
    for (const r of over) if (r.budgetProposal) r.budgetProposal = { ...r.budgetProposal, escalationId: e.id };
    out.opened.push(e);
  }
  for (const q of budgetPlan.pools.questions) await askPool(deps, runId, q, results, id, out);
  return out;
}

/** One batch question per pool that misses its total: its members are the changes, approving applies them. */
async function askPool(
  deps: AgentDeps,
  runId: string,
  q: PoolQuestion,
  results: readonly ResultRow[],
  id: (prefix: string) => string,
  out: Steered,
): Promise<void> {
  const to = new Map(q.rebalance.changes.map((c) => [c.campaignId, c]));
  const changed = q.changes.map((i) => results[i]).filter((r): r is ResultRow => r !== undefined);
  const first = changed[0];
  if (q.open !== null || !first) return;
  const escalationId = id('esc');
  const e = await openEscalation(deps, {
    id: escalationId,
    runId,
    key: `batch:pool:${q.rebalance.pool}:${escalationId}`,
    proposed: 'rebalance',
    reason: q.reason,
    snapshot: first,
    batch: {
      kind: 'pool',
      pool: poolFigures(q.rebalance),
      members: changed.map((r) => {
        const c = to.get(r.campaignId as string);
        return {
          ...memberOf(r),
          key: budgetKey(r.key),
          budget: c ? { from: c.from, to: c.to, currency: q.rebalance.currency } : null,
        };
      }),
    },
  });
  // The members' rows point at the question, so every surface counts them as escalated by this run.
  for (const r of changed) r.poolEscalationId = e.id;
  out.opened.push(e);
}

/** What a pool card shows beside its changes, as this run found it: the members carry the changes themselves. */
const poolFigures = (r: PoolRebalance): PoolFigures => ({
  pool: r.pool,
  currency: r.currency,
  budget: r.budget,
  actualSpend: r.actualSpend,
  projectedSpend: r.projectedSpend,
  projectedAfter: r.projectedAfter,
  note: r.note,
});

async function ask(
  deps: AgentDeps,
  runId: string,
  row: ResultRow,
  proposal: BudgetProposal,
  why: string | null,
  id: (prefix: string) => string,
  out: Steered,
): Promise<void> {
  const e = await openEscalation(deps, {
    id: id('esc'),
    runId,
    key: budgetKey(row.key),
    proposed: 'budget',
    reason: [why, proposal.reason].filter(Boolean).join(' '),
    snapshot: { ...row, budgetProposal: proposal },
    batch: null,
  });
  row.budgetProposal = { ...proposal, escalationId: e.id };
  // Another process asked a moment ago: the row points at that question, which is not started twice.
  if (e.runId === runId && !out.opened.some((o) => o.id === e.id)) out.opened.push(e);
}

const budgetOf = (r: ResultRow) =>
  r.budgetProposal
    ? { from: r.budgetProposal.from, to: r.budgetProposal.to, currency: r.budgetProposal.currency }
    : null;

/**
 * `auto` with no guard holding: the agent changes the budget itself, records it on the row and alerts. Returns the
 * error of a change that did not take, else null.
 */
async function changeAlone(deps: AgentDeps, row: ResultRow): Promise<string | null> {
  const p = row.budgetProposal;
  if (!p || row.platformCampaignId === null) return null;
  const result = await changeBudget(deps, {
    runId: row.runId,
    escalationId: null,
    campaignId: row.campaignId,
    platform: row.platform,
    platformCampaignId: row.platformCampaignId,
    from: p.from,
    to: p.to,
    currency: p.currency ?? row.platformCurrency ?? '',
    actor: 'agent',
    details: { projectedVariancePct: row.forecast?.projectedVariancePct ?? null },
  });
  if (result.outcome === 'failed') {
    row.budgetChange = { from: p.from, to: p.to, status: 'failed' };
    row.actionNote = `Budget change failed: ${result.error}`;
  } else {
    row.budgetChange = { from: result.from, to: result.to, status: result.outcome };
    row.actionNote =
      result.outcome === 'would_change'
        ? `Dry run: would set the daily budget to ${formatMoney(p.to, p.currency)} (nothing was changed on the platform).`
        : `Daily budget set to ${formatMoney(result.to, result.currency)} by the agent (was ${formatMoney(result.from, result.currency)}).`;
  }
  await notify(deps, row);
  return result.outcome === 'failed' ? result.error : null;
}
