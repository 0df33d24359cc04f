// Pausing and resuming campaigns: the intent recorded before the platform is called, the read-back, the audit, and
// the recovery of pauses a stopped process left without an outcome.
import type { Escalation, NewAuditEvent, ResumeOutcome } from '../../domain/records.js';
import type { Platform } from '../../domain/types.js';
import { PlatformError } from '../../errors.js';
import type { PauseIntent } from '../../store/pauses.js';
import type { AgentDeps } from '../deps.js';
import { message, where } from './audit-fields.js';
import { tell } from './tell.js';

/** A pause to make: the intent as it is recorded before the platform is called (`key` makes it idempotent). */
export type PauseTarget = Omit<PauseIntent, 'createdAt' | 'outcome'>;

export type PauseResult =
  | { outcome: 'paused'; note: string | null }
  | { outcome: 'already_paused' | 'would_pause' }
  | { outcome: 'failed'; error: string };

/**
 * Pauses one campaign. The intent is written before the platform is called; a pause that took effect is
 * audited as `campaign_paused` exactly once, also when the call failed after the platform acted or the process
 * stopped before the audit (read back then, or by `recoverPauses`). A failed pause is never recorded as done.
 */
export async function pauseCampaign(deps: AgentDeps, t: PauseTarget): Promise<PauseResult> {
  const { store } = deps;
  const known = await store.pauses.get(t.key);
  if (known?.outcome) {
    if (known.outcome === 'failed' || known.outcome === 'not_paused') {
      // Tried before and it did not take: try again below (a retried approval should still pause).
    } else return known.outcome === 'paused' ? { outcome: 'paused', note: null } : { outcome: known.outcome };
  }
  const { existed } = await store.pauses.record({
    key: t.key,
    createdAt: deps.clock(),
    runId: t.runId,
    escalationId: t.escalationId,
    campaignId: t.campaignId,
    platform: t.platform,
    platformCampaignId: t.platformCampaignId,
    actor: t.actor,
    details: t.details,
  });
  const retried = existed && !known?.outcome;
  const platform = deps.platforms.get(t.platform);
  try {
    if (!platform) throw new Error(`no ${t.platform} platform is configured to pause with`);
    const reported = await platform.pause(t.platformCampaignId);
    // An earlier attempt of this very pause stopped before its audit: the campaign is paused because of it.
    if (reported === 'paused' || (reported === 'already_paused' && retried)) return await settlePaused(deps, t, null);
    await settlePause(deps, t, reported, {
      type: reported === 'would_pause' ? 'pause_dry_run' : 'pause_skipped',
      details: reported === 'already_paused' ? { reason: 'the platform reported it already paused' } : {},
    });
    return { outcome: reported };
  } catch (err) {
    const error = message(err);
    // The change may have gone through although the call failed (a failed read-back, a dropped answer).
    const status = await platform?.currentStatus?.(t.platformCampaignId).catch(() => null);
    if (status === 'PAUSED') return settlePaused(deps, t, error);
    await settlePause(deps, t, 'failed', { type: 'pause_failed', details: { error } });
    return { outcome: 'failed', error };
  }
}

async function settlePaused(deps: AgentDeps, t: PauseTarget, afterError: string | null): Promise<PauseResult> {
  await settlePause(deps, t, 'paused', { type: 'campaign_paused', details: afterError ? { afterError } : {} });
  return {
    outcome: 'paused',
    note: afterError ? 'confirmed by reading the status back after an error' : null,
  };
}

async function settlePause(
  deps: AgentDeps,
  t: PauseTarget,
  outcome: 'paused' | 'already_paused' | 'would_pause' | 'failed' | 'not_paused',
  event: { type: NewAuditEvent['type']; details: Record<string, unknown> },
): Promise<void> {
  const at = deps.clock();
  await deps.store.transaction(async (tx) => {
    await tx.audit.append({
      at,
      runId: t.runId,
      type: event.type,
      actor: t.actor,
      campaignId: t.campaignId,
      platform: t.platform,
      platformCampaignId: t.platformCampaignId,
      details: { ...t.details, ...(t.escalationId ? { escalationId: t.escalationId } : {}), ...event.details },
    });
    await tx.pauses.settle(t.key, outcome, at);
  });
}

/**
 * Reads back every pause a stopped process left without an outcome, and records what happened: a campaign
 * found paused gets its `campaign_paused`; one still running is recorded as not paused. Pauses that belong to
 * an approved escalation and did not happen are left to the decision's recovery, which tries them again.
 */
export async function recoverPauses(deps: AgentDeps): Promise<number> {
  let recovered = 0;
  for (const intent of await deps.store.pauses.unknown()) {
    const platform = deps.platforms.get(intent.platform);
    const status = await platform?.currentStatus?.(intent.platformCampaignId).catch(() => null);
    const t: PauseTarget = { ...intent, details: { ...intent.details, recovered: true } };
    if (status === 'PAUSED') {
      await settlePause(deps, t, 'paused', { type: 'campaign_paused', details: { readBackAt: deps.clock() } });
      recovered++;
    } else if (status === 'ENABLED' && intent.escalationId === null) {
      await settlePause(deps, t, 'not_paused', {
        type: 'pause_failed',
        details: { error: 'the process stopped before the platform confirmed the pause; it is still running' },
      });
      recovered++;
    }
  }
  return recovered;
}

/**
 * Resumes a campaign the agent paused, for `actor`: audited with the figures it had (so the agent respects the
 * person's decision), and the message about the pause is told. A failed resume is audited and thrown.
 */
export async function resume(
  deps: AgentDeps,
  spec: {
    platform: Platform;
    platformCampaignId: string;
    campaignId: string | null;
    actor: string;
    figures: Record<string, unknown>;
  },
): Promise<ResumeOutcome> {
  const { platform, platformCampaignId, actor } = spec;
  const place = { campaignId: spec.campaignId, platform, platformCampaignId };
  try {
    const adapter = deps.platforms.get(platform);
    if (!adapter) throw new PlatformError(platform, `No ${platform} platform is configured.`);
    const outcome = await adapter.resume(platformCampaignId);
    await deps.store.audit.append({
      at: deps.clock(),
      type:
        outcome === 'resumed' ? 'campaign_resumed' : outcome === 'would_resume' ? 'resume_dry_run' : 'resume_skipped',
      actor,
      ...place,
      details:
        outcome === 'already_enabled'
          ? { reason: 'the campaign was already enabled' }
          : { via: 'undo', ...spec.figures },
    });
    if (outcome === 'resumed') {
      const resumed = { platform, platformCampaignId, actor, at: deps.clock() };
      await tell(deps, [{ runId: null, ...place }], () => deps.notifier.campaignResumed?.(resumed));
    }
    return outcome;
  } catch (err) {
    await deps.store.audit.append({
      at: deps.clock(),
      type: 'resume_failed',
      actor,
      ...place,
      details: { error: message(err) },
    });
    throw err;
  }
}

/** Records that an approved pause could not be tried: the escalation names no platform campaign. */
export async function unpausable(deps: AgentDeps, e: Escalation, actor: string, error: string): Promise<void> {
  await deps.store.audit.append({
    at: deps.clock(),
    type: 'pause_failed',
    actor,
    ...where(e),
    details: { escalationId: e.id, error },
  });
}
