// Carrying out an approved budget question: one campaign's daily budget, or every standing change of a batch (over
// the run's cap, or a pool's rebalance). Each change goes through effects.changeBudget; a change the platform
// refused or did not confirm makes the outcome failed, never done.
import { campaignTitle } from '../domain/lookup.js';
import { formatMoney } from '../domain/money.js';
import type { Escalation } from '../domain/records.js';
import type { AgentDeps } from './deps.js';
import { changeBudget } from './effects/index.js';

export interface BudgetOutcome {
  status: 'done' | 'failed';
  detail: string;
}

/** Applies the approved budget change (or a batch's standing changes) for `actor`. */
export async function carryOutBudget(deps: AgentDeps, e: Escalation, actor: string): Promise<BudgetOutcome> {
  if (e.batch) return carryOutBatch(deps, e, actor);
  const p = e.snapshot.budgetProposal;
  if (!p || e.platformCampaignId === null)
    return { status: 'failed', detail: `Approved by ${actor}, but the question holds no budget change to make.` };
  const title = campaignTitle({ ...e.snapshot, campaignId: e.campaignId, platform: e.platform });
  const r = await changeBudget(deps, {
    runId: e.runId,
    escalationId: e.id,
    campaignId: e.campaignId,
    platform: e.platform,
    platformCampaignId: e.platformCampaignId,
    from: p.from,
    to: p.to,
    currency: p.currency ?? e.snapshot.platformCurrency ?? '',
    actor,
    details: { via: 'approval', projectedVariancePct: e.snapshot.forecast?.projectedVariancePct ?? null },
  });
  const money = (v: number) => formatMoney(v, p.currency);
  switch (r.outcome) {
    case 'failed':
      return {
        status: 'failed',
        detail: `Approved by ${actor}, but the budget change failed: ${r.error}. Set it by hand on the platform.`,
      };
    case 'changed':
      return {
        status: 'done',
        detail: `Approved by ${actor}: ${title}'s daily budget set to ${money(r.to)} (was ${money(r.from)}).`,
      };
    case 'unchanged':
      return { status: 'done', detail: `Approved by ${actor}: ${title}'s daily budget already was ${money(r.to)}.` };
    case 'would_change':
      return {
        status: 'done',
        detail: `Approved by ${actor}: dry run, ${title}'s daily budget would be set to ${money(r.to)} (PACING_MODE=dry-run).`,
      };
  }
}

async function carryOutBatch(deps: AgentDeps, e: Escalation, actor: string): Promise<BudgetOutcome> {
  const members = (e.batch?.members ?? []).filter((m) => !m.dropped && m.platformCampaignId !== null && m.budget);
  const count = { changed: 0, unchanged: 0, would_change: 0, failed: 0 };
  const failures: string[] = [];
  for (const m of members) {
    const b = m.budget as NonNullable<typeof m.budget>;
    const r = await changeBudget(deps, {
      runId: e.runId,
      escalationId: e.id,
      campaignId: m.campaignId,
      platform: m.platform,
      platformCampaignId: m.platformCampaignId as string,
      from: b.from,
      to: b.to,
      currency: b.currency ?? m.currency ?? '',
      actor,
      details: { via: 'batch approval' },
    });
    count[r.outcome]++;
    if (r.outcome === 'failed') failures.push(`${m.campaignId ?? m.platformCampaignId}: ${r.error}`);
  }
  const parts = [
    `${count.changed} changed`,
    count.unchanged ? `${count.unchanged} already at their new budget` : '',
    count.would_change ? `${count.would_change} would change (dry run)` : '',
    count.failed
      ? `${count.failed} failed (${failures.slice(0, 5).join('; ')}${failures.length > 5 ? '; …' : ''})`
      : '',
  ].filter(Boolean);
  return {
    status: count.failed ? 'failed' : 'done',
    detail: `Approved by ${actor} for ${members.length} daily budgets: ${parts.join(', ')}.${count.failed ? ' Set the failed ones by hand.' : ''}`,
  };
}
