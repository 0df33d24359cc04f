// Daily-budget changes (the agent's, an approval's, or a person's restore): meant, made, read back and audited, and
// the recovery of changes a stopped process left without an outcome.

import { formatMoney } from '../../domain/money.js';
import type { AuditEvent } from '../../domain/records.js';
import type { Platform } from '../../domain/types.js';
import { PlatformError } from '../../errors.js';
import { PROCESS_ID } from '../../store/owner.js';
import type { AgentDeps } from '../deps.js';
import { message } from './audit-fields.js';

/** A daily-budget change to make (by the agent, on an approval, or a person's restore). */
export interface BudgetTarget {
  runId: string | null;
  escalationId: string | null;
  campaignId: string | null;
  platform: Platform;
  platformCampaignId: string;
  /** The daily budget the change starts from, as the run (or the last change) saw it. */
  from: number;
  to: number;
  currency: string;
  /** "agent", or the person who approved or restored. */
  actor: string;
  /** A person putting back the budget from before the agent's last change. */
  restore?: boolean;
  details?: Record<string, unknown>;
}

export type BudgetResult =
  | { outcome: 'changed' | 'unchanged' | 'would_change'; from: number; to: number; currency: string }
  | { outcome: 'failed'; error: string };

/**
 * Changes one campaign's daily budget: what is meant is audited before the platform is called, the platform reads
 * the new amount back, and only a change it confirmed is audited as `budget_changed` `{ from, to, currency, by }`.
 * A refused or unconfirmed change is audited as `budget_change_failed` and returned as failed, never as done.
 */
export async function changeBudget(deps: AgentDeps, t: BudgetTarget): Promise<BudgetResult> {
  const place = {
    runId: t.runId,
    campaignId: t.campaignId,
    platform: t.platform,
    platformCampaignId: t.platformCampaignId,
  };
  const meant = {
    from: t.from,
    to: t.to,
    currency: t.currency,
    by: t.actor,
    ...(t.restore ? { restore: true } : {}),
    ...(t.escalationId ? { escalationId: t.escalationId } : {}),
    ...t.details,
  };
  await deps.store.audit.append({
    at: deps.clock(),
    type: 'budget_change_requested',
    actor: t.actor,
    ...place,
    // The process making the change: recovery leaves a change alone while that process may still settle it.
    details: { ...meant, owner: PROCESS_ID },
  });
  try {
    const adapter = deps.platforms.get(t.platform);
    if (!adapter?.setDailyBudget)
      throw new PlatformError(t.platform, `The ${t.platform} platform cannot change daily budgets here.`);
    const r = await adapter.setDailyBudget(t.platformCampaignId, t.to, t.currency);
    // Already at the amount meant is recorded too: it settles the intent and clears a failure's page.
    await deps.store.audit.append({
      at: deps.clock(),
      type:
        r.outcome === 'changed' ? 'budget_changed' : r.outcome === 'unchanged' ? 'budget_confirmed' : 'budget_dry_run',
      actor: t.actor,
      ...place,
      // The platform's own figures: the budget it had and the one it read back.
      details: { ...meant, from: r.from, to: r.to, currency: r.currency },
    });
    return { outcome: r.outcome, from: r.from, to: r.to, currency: r.currency };
  } catch (err) {
    const error = message(err);
    await deps.store.audit.append({
      at: deps.clock(),
      type: 'budget_change_failed',
      actor: t.actor,
      ...place,
      details: { ...meant, error },
    });
    return { outcome: 'failed', error };
  }
}

/**
 * Reads back every budget change a stopped process asked for and never settled (`budget_change_requested` with no
 * outcome since), and records what the platform shows: the new budget → `budget_changed`; anything else →
 * `budget_change_failed` (which pages). The read-back is the platform's own check with nothing written
 * (`validateOnly`); a platform that cannot be read now leaves the change for the next catch-up. Returns how many
 * were settled.
 */
export async function recoverBudgetChanges(deps: AgentDeps): Promise<number> {
  let recovered = 0;
  for (const intent of await deps.store.audit.unsettledBudgetChanges()) {
    const owner = typeof intent.details.owner === 'string' ? intent.details.owner : null;
    if (await deps.store.liveness.alive(owner)) continue;
    if (await recoverOne(deps, intent)) recovered++;
  }
  return recovered;
}

async function recoverOne(deps: AgentDeps, intent: AuditEvent): Promise<boolean> {
  const { owner: _owner, ...meant } = intent.details;
  const to = typeof meant.to === 'number' ? meant.to : null;
  const currency = typeof meant.currency === 'string' ? meant.currency : null;
  const adapter = intent.platform ? deps.platforms.get(intent.platform as Platform) : undefined;
  if (to === null || currency === null || !intent.platformCampaignId || !adapter?.setDailyBudget) return false;
  const read = await adapter
    .setDailyBudget(intent.platformCampaignId, to, currency, { validateOnly: true })
    .catch(() => null);
  if (read === null) return false;
  const took = read.outcome === 'unchanged';
  await deps.store.audit.append({
    at: deps.clock(),
    runId: intent.runId,
    type: took ? 'budget_changed' : 'budget_change_failed',
    actor: intent.actor,
    campaignId: intent.campaignId,
    platform: intent.platform,
    platformCampaignId: intent.platformCampaignId,
    details: {
      ...meant,
      recovered: true,
      readBackAt: deps.clock(),
      ...(took
        ? { to: read.to, currency: read.currency }
        : {
            error: `the process stopped before the platform confirmed the change; the daily budget reads back ${formatMoney(read.from, read.currency)}`,
          }),
    },
  });
  return true;
}
