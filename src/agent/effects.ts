// The only place the agent changes anything: pause (intent → platform → read back → audit), notify, open and
// close escalations. The cycle and the escalation threads both act through these.
import { announced, noticeOf } from '../domain/notice.js';
import type { BatchMember, Escalation, NewAuditEvent, ResultRow } from '../domain/records.js';
import { runFigures } from '../domain/run-counts.js';
import type { PauseIntent } from '../store/intents.js';
import type { AgentDeps } from './deps.js';
import { addHours } from './deps.js';

/** A pause to make: the intent as it is recorded before the platform is called (`key` makes it idempotent). */
export type PauseTarget = Omit<PauseIntent, 'createdAt' | 'outcome'>;

export type PauseResult =
  | { outcome: 'paused'; note: string | null }
  | { outcome: 'already_paused' | 'would_pause' }
  | { outcome: 'failed'; error: string };

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err)).replace(/\.+$/, '');

/**
 * Pauses one campaign. The intent is written before the platform is called; a pause that took effect is
 * audited as `campaign_paused` exactly once, also when the call failed after the platform acted or the process
 * stopped before the audit (read back then, or by `recoverPauses`). A failed pause is never recorded as done.
 */
export async function pauseCampaign(deps: AgentDeps, t: PauseTarget): Promise<PauseResult> {
  const { store } = deps;
  const known = store.pauses.get(t.key);
  if (known?.outcome) {
    if (known.outcome === 'failed' || known.outcome === 'not_paused') {
      // Tried before and it did not take: try again below (a retried approval should still pause).
    } else return known.outcome === 'paused' ? { outcome: 'paused', note: null } : { outcome: known.outcome };
  }
  const { existed } = store.pauses.record({
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
    if (reported === 'paused' || (reported === 'already_paused' && retried)) return settlePaused(deps, t, null);
    settle(deps, t, reported, {
      type: reported === 'would_pause' ? 'pause_dry_run' : 'pause_skipped',
      details: reported === 'already_paused' ? { reason: 'the platform reported it already paused' } : {},
    });
    return { outcome: reported };
  } catch (err) {
    const error = message(err);
    // The change may have gone through although the call failed (a failed read-back, a dropped answer).
    const status = await platform?.currentStatus?.(t.platformCampaignId).catch(() => null);
    if (status === 'PAUSED') return settlePaused(deps, t, error);
    settle(deps, t, 'failed', { type: 'pause_failed', details: { error } });
    return { outcome: 'failed', error };
  }
}

function settlePaused(deps: AgentDeps, t: PauseTarget, afterError: string | null): PauseResult {
  settle(deps, t, 'paused', { type: 'campaign_paused', details: afterError ? { afterError } : {} });
  return {
    outcome: 'paused',
    note: afterError ? 'confirmed by reading the status back after an error' : null,
  };
}

function settle(
  deps: AgentDeps,
  t: PauseTarget,
  outcome: 'paused' | 'already_paused' | 'would_pause' | 'failed' | 'not_paused',
  event: { type: NewAuditEvent['type']; details: Record<string, unknown> },
): void {
  const at = deps.clock();
  deps.store.transaction(() => {
    deps.store.audit.append({
      at,
      runId: t.runId,
      type: event.type,
      actor: t.actor,
      campaignId: t.campaignId,
      platform: t.platform,
      platformCampaignId: t.platformCampaignId,
      details: { ...t.details, ...(t.escalationId ? { escalationId: t.escalationId } : {}), ...event.details },
    });
    deps.store.pauses.settle(t.key, outcome, at);
  });
}

/**
 * Reads back every pause a stopped process left without an outcome, and records what happened: a campaign
 * found paused gets its `campaign_paused`; one still running is recorded as not paused. Pauses that belong to
 * an approved escalation and did not happen are left to the decision's recovery, which tries them again.
 */
export async function recoverPauses(deps: AgentDeps): Promise<number> {
  let recovered = 0;
  for (const intent of deps.store.pauses.unknown()) {
    const platform = deps.platforms.get(intent.platform);
    const status = await platform?.currentStatus?.(intent.platformCampaignId).catch(() => null);
    const t: PauseTarget = { ...intent, details: { ...intent.details, recovered: true } };
    if (status === 'PAUSED') {
      settle(deps, t, 'paused', { type: 'campaign_paused', details: { readBackAt: deps.clock() } });
      recovered++;
    } else if (status === 'ENABLED' && intent.escalationId === null) {
      settle(deps, t, 'not_paused', {
        type: 'pause_failed',
        details: { error: 'the process stopped before the platform confirmed the pause; it is still running' },
      });
      recovered++;
    }
  }
  return recovered;
}

/**
 * Tells the notifier, and never lets its failure change what happened to the campaign or stop the run: the
 * failure is audited instead (the Slack notifier only queues, so this is a last line of defence).
 */
export async function notify(deps: AgentDeps, row: ResultRow): Promise<void> {
  try {
    await deps.notifier.alert(row);
  } catch (err) {
    notificationFailed(deps, row, err);
  }
}

/**
 * Tells people what a run found that is new (SPEC, No alert fatigue): each alert row gets its `notice` against
 * what was last posted about its campaign; only new and changed ones go out, together; what is back on plan is
 * forgotten, so a return is news again. Returns the rows that went out.
 */
export async function announce(
  deps: AgentDeps,
  runId: string,
  candidates: readonly ResultRow[],
  results: readonly ResultRow[],
  opened?: ReadonlySet<string>,
): Promise<ResultRow[]> {
  const last = deps.store.announcements.all();
  const posts: ResultRow[] = [];
  for (const row of candidates) {
    row.notice = noticeOf(last.get(row.key), row);
    if (row.notice !== 'repeat') posts.push(row);
  }
  const resolved = results.filter((r) => r.severity === 'healthy' && last.has(r.key)).map((r) => r.key);
  if (posts.length) {
    try {
      await deps.notifier.runAlerts(runId, posts, runFigures(results, opened));
    } catch (err) {
      for (const row of posts) notificationFailed(deps, row, err);
    }
  }
  deps.store.announcements.update(
    runId,
    deps.clock(),
    posts.map((r) => ({ key: r.key, state: announced(r) })),
    resolved,
  );
  return posts;
}

function notificationFailed(deps: AgentDeps, row: ResultRow, err: unknown): void {
  deps.store.audit.append({
    at: deps.clock(),
    runId: row.runId,
    type: 'notification_failed',
    actor: 'agent',
    campaignId: row.campaignId,
    platform: row.platform,
    platformCampaignId: row.platformCampaignId,
    details: { ...(row.escalationId ? { escalationId: row.escalationId } : {}), error: message(err) },
  });
}

/**
 * Tells people an open batch now holds other campaigns (new ones joined, or some came back on plan), so the
 * question they answer is the one approving carries out. Like `notify`, a failure is audited and never changes
 * the run.
 */
export async function batchChanged(deps: AgentDeps, runId: string, e: Escalation): Promise<void> {
  try {
    await deps.notifier.escalationUpdated?.(e);
  } catch (err) {
    deps.store.audit.append({
      at: deps.clock(),
      runId,
      type: 'notification_failed',
      actor: 'agent',
      campaignId: null,
      platform: e.platform,
      platformCampaignId: null,
      details: { escalationId: e.id, error: message(err) },
    });
  }
}

/** Opens an escalation about one row, or a batch about many (its members biggest money first), and audits it. */
export function openEscalation(
  deps: AgentDeps,
  spec: {
    id: string;
    runId: string;
    key: string;
    proposed: Escalation['proposedAction'];
    reason: string;
    snapshot: ResultRow;
    batch: Escalation['batch'];
  },
): Escalation {
  const now = deps.clock();
  const single = spec.batch === null;
  return deps.store.transaction(() => {
    const { escalation } = deps.store.escalations.open({
      id: spec.id,
      runId: spec.runId,
      key: spec.key,
      campaignId: single ? spec.snapshot.campaignId : null,
      platform: spec.snapshot.platform,
      platformCampaignId: single ? spec.snapshot.platformCampaignId : null,
      proposedAction: spec.proposed,
      reason: spec.reason,
      createdAt: now,
      expiresAt: addHours(now, deps.approvalTimeoutHours),
      threadId: `escalation:${spec.id}`,
      snapshot: spec.snapshot,
      batch: spec.batch,
    });
    deps.store.audit.append({
      at: now,
      runId: spec.runId,
      type: 'escalation_opened',
      actor: 'agent',
      campaignId: escalation.campaignId,
      platform: escalation.platform,
      platformCampaignId: escalation.platformCampaignId,
      details: {
        escalationId: escalation.id,
        proposedAction: spec.proposed,
        reason: spec.reason,
        expiresAt: escalation.expiresAt,
        ...(spec.batch ? { batch: spec.batch.kind, campaigns: spec.batch.members.length } : {}),
      },
    });
    return escalation;
  });
}

/**
 * Closes an open escalation without a decision (as expired, with why). Returns the closed escalation, or null
 * when a person decided it first: their decision stands.
 */
export function closeEscalation(deps: AgentDeps, id: string, runId: string, note: string): Escalation | null {
  const now = deps.clock();
  const claimed = deps.store.transaction(() => {
    const c = deps.store.escalations.claim(id, 'expired', 'agent', now, note);
    if (c.claimed) {
      deps.store.audit.append({
        at: now,
        runId,
        type: 'escalation_expired',
        actor: 'agent',
        campaignId: c.escalation.campaignId,
        platform: c.escalation.platform,
        platformCampaignId: c.escalation.platformCampaignId,
        details: { escalationId: c.escalation.id, note },
      });
    }
    return c;
  });
  return claimed.claimed ? claimed.escalation : null;
}

/** A batch member as its message and its approval need it. */
export function memberOf(row: ResultRow): BatchMember {
  return {
    key: row.key,
    campaignId: row.campaignId,
    campaignName: row.campaignName,
    platform: row.platform,
    platformCampaignId: row.platformCampaignId,
    platformCampaignName: row.platformCampaignName,
    currency: row.platformCurrency ?? row.currency,
    targetSpend: row.targetSpend,
    actualSpend: row.actualSpend,
    variancePct: row.variancePct,
    dropped: false,
  };
}
