// The only place the agent changes anything: pause (intent → platform → read back → audit), resume and daily-budget
// changes, notify,
// open, claim, settle and close escalations, and the audit records of these actions. The cycle, the escalation
// threads and the agent's commands decide what to do and in which order; they act through these alone
// (test/architecture.test.ts holds every other file to that).
import { announced, noticeOf } from '../domain/notice.js';
import type {
  AuditEvent,
  BatchMember,
  Decision,
  Escalation,
  EscalationClosed,
  NewAuditEvent,
  ResultRow,
  ResumeOutcome,
} from '../domain/records.js';
import { runFigures } from '../domain/run-counts.js';
import type { Platform, RowStatus } from '../domain/types.js';
import { asPacingError, PlatformError } from '../errors.js';
import type { ClaimResult } from '../store/escalations.js';
import type { PauseIntent } from '../store/pauses.js';
import { checkpointerFor } from './checkpointer.js';
import type { AgentDeps } from './deps.js';
import { addHours } from './deps.js';

/** A pause to make: the intent as it is recorded before the platform is called (`key` makes it idempotent). */
export type PauseTarget = Omit<PauseIntent, 'createdAt' | 'outcome'>;

export type PauseResult =
  | { outcome: 'paused'; note: string | null }
  | { outcome: 'already_paused' | 'would_pause' }
  | { outcome: 'failed'; error: string };

const message = (err: unknown): string => asPacingError(err).message.replace(/\.+$/, '');

/** Where an action happened, as its audit events name it. */
const where = (x: Pick<AuditEvent, 'runId' | 'campaignId' | 'platformCampaignId'> & { platform: Platform }) => ({
  runId: x.runId,
  campaignId: x.campaignId,
  platform: x.platform,
  platformCampaignId: x.platformCampaignId,
});

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
    settlePause(deps, t, reported, {
      type: reported === 'would_pause' ? 'pause_dry_run' : 'pause_skipped',
      details: reported === 'already_paused' ? { reason: 'the platform reported it already paused' } : {},
    });
    return { outcome: reported };
  } catch (err) {
    const error = message(err);
    // The change may have gone through although the call failed (a failed read-back, a dropped answer).
    const status = await platform?.currentStatus?.(t.platformCampaignId).catch(() => null);
    if (status === 'PAUSED') return settlePaused(deps, t, error);
    settlePause(deps, t, 'failed', { type: 'pause_failed', details: { error } });
    return { outcome: 'failed', error };
  }
}

function settlePaused(deps: AgentDeps, t: PauseTarget, afterError: string | null): PauseResult {
  settlePause(deps, t, 'paused', { type: 'campaign_paused', details: afterError ? { afterError } : {} });
  return {
    outcome: 'paused',
    note: afterError ? 'confirmed by reading the status back after an error' : null,
  };
}

function settlePause(
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
      settlePause(deps, t, 'paused', { type: 'campaign_paused', details: { readBackAt: deps.clock() } });
      recovered++;
    } else if (status === 'ENABLED' && intent.escalationId === null) {
      settlePause(deps, t, 'not_paused', {
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
    deps.store.audit.append({
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
    deps.store.audit.append({
      at: deps.clock(),
      type: 'resume_failed',
      actor,
      ...place,
      details: { error: message(err) },
    });
    throw err;
  }
}

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
  deps.store.audit.append({
    at: deps.clock(),
    type: 'budget_change_requested',
    actor: t.actor,
    ...place,
    details: meant,
  });
  try {
    const adapter = deps.platforms.get(t.platform);
    if (!adapter?.setDailyBudget)
      throw new PlatformError(t.platform, `The ${t.platform} platform cannot change daily budgets here.`);
    const r = await adapter.setDailyBudget(t.platformCampaignId, t.to, t.currency);
    if (r.outcome !== 'unchanged')
      deps.store.audit.append({
        at: deps.clock(),
        type: r.outcome === 'changed' ? 'budget_changed' : 'budget_dry_run',
        actor: t.actor,
        ...place,
        // The platform's own figures: the budget it had and the one it read back.
        details: { ...meant, from: r.from, to: r.to, currency: r.currency },
      });
    return { outcome: r.outcome, from: r.from, to: r.to, currency: r.currency };
  } catch (err) {
    const error = message(err);
    deps.store.audit.append({
      at: deps.clock(),
      type: 'budget_change_failed',
      actor: t.actor,
      ...place,
      details: { ...meant, error },
    });
    return { outcome: 'failed', error };
  }
}

/** Who a notification was about, for the audit event that records its failure. */
type About = Pick<AuditEvent, 'runId' | 'campaignId' | 'platform' | 'platformCampaignId'> & {
  escalationId?: string | null;
};

const aboutRow = (row: ResultRow): About => ({ ...where(row), escalationId: row.escalationId });
const aboutEscalation = (e: Escalation, runId: string | null = e.runId): About => ({
  ...where(e),
  runId,
  escalationId: e.id,
});

/**
 * The one way the agent talks to the notifier: a failure never changes what happened to a campaign or stops a
 * run or a decision; it is audited as `notification_failed`, once for each thing the message was about (the
 * Slack notifier only queues, so this is a last line of defence). Returns whether it went out.
 */
async function tell(deps: AgentDeps, about: readonly About[], send: () => Promise<void> | undefined): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (err) {
    const at = deps.clock();
    deps.store.audit.appendAll(
      about.map(({ escalationId, ...place }) => ({
        at,
        type: 'notification_failed' as const,
        actor: 'agent',
        ...place,
        details: { ...(escalationId ? { escalationId } : {}), error: message(err) },
      })),
    );
    return false;
  }
}

/** Tells the notifier about one row on its own (an approved escalation's alert). */
export async function notify(deps: AgentDeps, row: ResultRow): Promise<void> {
  await tell(deps, [aboutRow(row)], () => deps.notifier.alert(row));
}

/**
 * Like `notify`, at most once for `key` (a decision carried out again after a crash does not alert twice): the
 * key is recorded once the notifier was told, or its failure audited.
 */
export async function notifyOnce(deps: AgentDeps, key: string, row: ResultRow): Promise<void> {
  if (deps.store.effects.done(key)) return;
  await notify(deps, row);
  deps.store.effects.record(key, deps.clock());
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
  if (posts.length)
    await tell(deps, posts.map(aboutRow), () => deps.notifier.runAlerts(runId, posts, runFigures(results, opened)));
  deps.store.announcements.update(
    runId,
    deps.clock(),
    posts.map((r) => ({ key: r.key, state: announced(r) })),
    resolved,
  );
  return posts;
}

/**
 * Tells people an open batch now holds other campaigns (new ones joined, or some came back on plan), so the
 * question they answer is the one approving carries out.
 */
export async function batchChanged(deps: AgentDeps, runId: string, e: Escalation): Promise<void> {
  await tell(deps, [aboutEscalation(e, runId)], () => deps.notifier.escalationUpdated?.(e));
}

/**
 * Puts an escalation's question to the approvers. With `key`, once: the key is recorded only when it went out,
 * so a question whose announcement failed (audited) still counts as unannounced; `serve` asks it again when it
 * starts (`PacingAgent.announceUnposted`).
 */
export async function announceEscalation(deps: AgentDeps, e: Escalation, key?: string): Promise<void> {
  if (key && deps.store.effects.done(key)) return;
  const sent = await tell(deps, [aboutEscalation(e)], () => deps.notifier.escalationOpened(e));
  if (key && sent) deps.store.effects.record(key, deps.clock());
}

/** Tells people how an escalation ended (its message shows the outcome); with `key`, at most once. */
export async function closeNotice(deps: AgentDeps, closed: EscalationClosed, key?: string): Promise<void> {
  if (key && deps.store.effects.done(key)) return;
  await tell(deps, [aboutEscalation(closed.escalation, null)], () => deps.notifier.escalationClosed(closed));
  if (key) deps.store.effects.record(key, deps.clock());
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

const DECIDED = {
  approved: 'escalation_approved',
  overridden: 'escalation_overridden',
  expired: 'escalation_expired',
} as const;

/**
 * Takes a decision on an escalation if, and only if, it is still pending; the claim and its audit event land
 * together, or neither does. The loser of a race changes nothing and learns the current state.
 */
export function claim(
  deps: AgentDeps,
  id: string,
  decision: Decision,
  actor: string,
  at: string,
  note: string | null,
): ClaimResult {
  return deps.store.transaction(() => {
    const c = deps.store.escalations.claim(id, decision, actor, at, note);
    if (c.claimed) {
      const e = c.escalation;
      deps.store.audit.append({
        at,
        type: DECIDED[decision],
        actor,
        ...where(e),
        details: { escalationId: e.id, proposedAction: e.proposedAction, reason: e.reason, ...(note ? { note } : {}) },
      });
    }
    return c;
  });
}

/** Decisions a stopped process claimed and never carried out, taken over by this one (each by one process only). */
export function adoptUnsettled(deps: AgentDeps): Escalation[] {
  return deps.store.escalations.unsettled().filter((e) => deps.store.escalations.adopt(e.id));
}

/** Records how a decision was carried out, on the escalation and on the rows that waited for it. */
export function settle(
  deps: AgentDeps,
  e: Escalation,
  outcome: { status: 'done' | 'failed'; detail: string },
  rows: RowStatus,
): void {
  deps.store.transaction(() => {
    deps.store.escalations.settle(e.id, outcome.status, outcome.detail);
    deps.store.runs.setStatusByEscalation(e.id, rows);
  });
}

/** Records an approver's reason for a rejection on the escalation (once) and in the audit trail. */
export function noteRejection(deps: AgentDeps, e: Escalation, actor: string, reason: string): Escalation {
  deps.store.transaction(() => {
    deps.store.escalations.setNote(e.id, reason);
    deps.store.audit.append({
      at: deps.clock(),
      type: 'override_reason',
      actor,
      ...where(e),
      details: { escalationId: e.id, reason },
    });
  });
  return deps.store.escalations.get(e.id) as Escalation;
}

/**
 * Records an approved alert (one event; a batch's names how many campaigns it flags), and sends a single
 * escalation's alert; at most once for the escalation, also when the decision is carried out again.
 */
export async function approvedAlert(deps: AgentDeps, e: Escalation, actor: string): Promise<void> {
  const key = `alert:${e.id}`;
  if (deps.store.effects.done(key)) return;
  if (!e.batch) await notify(deps, { ...e.snapshot, status: 'approved', action: 'alert', escalationId: e.id });
  deps.store.transaction(() => {
    deps.store.audit.append({
      at: deps.clock(),
      type: 'alert_raised',
      actor,
      ...(e.batch ? { runId: e.runId } : where(e)),
      details: { escalationId: e.id, ...(e.batch ? { campaigns: e.batch.members.length } : {}) },
    });
    deps.store.effects.record(key, deps.clock());
  });
}

/** Records that an approved pause could not be tried: the escalation names no platform campaign. */
export function unpausable(deps: AgentDeps, e: Escalation, actor: string, error: string): void {
  deps.store.audit.append({
    at: deps.clock(),
    type: 'pause_failed',
    actor,
    ...where(e),
    details: { escalationId: e.id, error },
  });
}

/**
 * Adds members to a pending batch (a storm or trickle that grew) with the reason that describes it now; false
 * when it was decided or closed meanwhile, so the caller asks a new question instead.
 */
export function addMembers(deps: AgentDeps, escalationId: string, members: BatchMember[], reason: string): boolean {
  return deps.store.escalations.addMembers(escalationId, members, reason);
}

/** A member no longer needs its batch's proposal (back on plan): approving the batch leaves it alone. */
export function dropMember(deps: AgentDeps, escalationId: string, key: string): void {
  deps.store.escalations.dropMember(escalationId, key);
}

/** Records events that say what the run did not need to change (written together: thousands a run). */
export function record(deps: AgentDeps, events: NewAuditEvent[]): void {
  if (events.length) deps.store.audit.appendAll(events);
}

/** Deletes the checkpoints of threads settled before `before` (SqliteSaver never prunes), and audits it. */
export async function pruneThreads(deps: AgentDeps, before: string): Promise<number> {
  const done = deps.store.escalations.prunable(before);
  for (const e of done) {
    await checkpointerFor(deps.store).deleteThread(e.threadId);
    deps.store.escalations.markPruned(e.id);
  }
  if (done.length > 0)
    deps.store.audit.append({
      at: deps.clock(),
      type: 'threads_pruned',
      actor: 'agent',
      details: { threads: done.length, before },
    });
  return done.length;
}
