// Undoing the agent's last daily-budget change (SPEC, Steering budgets: Undo): the budget from before it is put back
// through the effects, audited as `budget_changed` with `restore: true` (the policy respects it like a resume), and
// any open budget question about the campaign is closed (or, for a batch, the campaign taken out of it).
import { campaignTitle } from '../domain/lookup.js';
import type { Platform } from '../domain/types.js';
import { PacingError, PlatformError } from '../errors.js';
import type { AgentDeps } from './deps.js';
import { batchChanged, changeBudget, closeEscalation, dropMember } from './effects/index.js';
import { type EscalationGraph, resumeEscalation } from './escalation.js';
import { budgetKey } from './steer.js';

export interface BudgetRestored {
  outcome: 'changed' | 'unchanged' | 'would_change';
  /** The daily budget before the restore, and the one read back after it. */
  from: number;
  to: number;
  currency: string;
  /** The budget question the restore closed, if one was open. */
  closed: string | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export async function restoreBudget(
  deps: AgentDeps,
  graph: EscalationGraph,
  platform: Platform,
  platformCampaignId: string,
  actor: string,
): Promise<BudgetRestored> {
  // Looked up, never taken from the caller: the campaign as the latest run saw it, and the change on record.
  const latest = await deps.store.runs.latestResultFor(platform, platformCampaignId);
  const title = latest ? campaignTitle(latest) : `${platform} campaign ${platformCampaignId}`;
  const last = await deps.store.audit.lastBudgetChange(platform, platformCampaignId);
  const before = num(last?.details.from);
  const after = num(last?.details.to);
  const currency = typeof last?.details.currency === 'string' ? last.details.currency : null;
  if (!last || before === null || after === null || currency === null)
    throw new PacingError(
      'not_found',
      `The agent has no daily-budget change of ${title} on record that is not already restored, so there is nothing to put back.`,
    );
  const r = await changeBudget(deps, {
    runId: null,
    escalationId: null,
    campaignId: latest?.campaignId ?? last.campaignId,
    platform,
    platformCampaignId,
    from: after,
    to: before,
    currency,
    actor,
    restore: true,
    // The forecast's miss when the person stepped in: the agent asks again only once it has grown 10 points.
    details: { via: 'undo', undoes: last.id, projectedVariancePct: latest?.forecast?.projectedVariancePct ?? null },
  });
  if (r.outcome === 'failed') throw new PlatformError(platform, `Restoring the budget of ${title} failed: ${r.error}`);
  let closed: string | null = null;
  const key = latest ? budgetKey(latest.key) : null;
  const open = key ? (await deps.store.escalations.openQuestions()).get(key) : undefined;
  if (open && key && r.outcome !== 'would_change') {
    // A batch (a pool's rebalance, the changes over the cap) loses this campaign: approving it later must not
    // undo the person's restore. One left with no change is closed like a single question.
    if (open.batch) await dropMember(deps, open.id, key);
    const batch = open.batch ? await deps.store.escalations.get(open.id) : null;
    const empty = batch?.batch?.members.every((m) => m.dropped) ?? true;
    if (batch && !empty) await batchChanged(deps, latest?.runId ?? '', batch);
    else {
      const note = `closed: ${actor} restored the daily budget`;
      const e = await closeEscalation(deps, open.id, latest?.runId ?? '', note);
      if (e) {
        await resumeEscalation(graph, e, { decision: 'expired', actor: 'agent', at: deps.clock(), note });
        closed = e.id;
      }
    }
  }
  return { outcome: r.outcome, from: r.from, to: r.to, currency: r.currency, closed };
}
