// Acting on a cycle's decisions: pause what must be paused, alert, and open or link escalations.
import type { Assessment } from '../domain/assess.js';
import { mitigate } from '../domain/mitigation.js';
import type { Cause, ProposedAction } from '../domain/types.js';
import type { NewAuditEvent } from '../store/audit.js';
import { type AgentDeps, addHours, newId } from './deps.js';
import type { Escalation, Progress, ResultRow } from './ports.js';

/**
 * Returns the rows with their statuses, and the escalations opened: their threads are started by the caller
 * once the cycle graph has finished (a graph invoked inside another graph's node would run as its subgraph,
 * and its interrupt would stop the whole cycle).
 */
export async function act(
  deps: AgentDeps,
  runId: string,
  now: string,
  assessments: readonly Assessment[],
  progress: Progress,
): Promise<{ results: ResultRow[]; opened: Escalation[]; superseded: Escalation[] }> {
  const results: ResultRow[] = [];
  const opened: Escalation[] = [];
  const open = new Map(deps.store.escalations.pending().map((e) => [e.key, e]));
  const ctx: Ctx = { deps, opened, now, deferred: [], superseded: [], open };
  const total = assessments.length;
  let done = 0;
  try {
    for (const a of assessments) {
      const row = resultRow(a, runId);
      // A row that could not be assessed (no platform data, or its plan row is invalid) is not done.
      if (a.rootCause.some((c) => c.code === 'platform_unavailable' || c.code === 'plan_row_invalid'))
        row.status = 'failed';
      const waiting = open.get(a.key);
      if (waiting && a.action !== 'escalate' && row.status !== 'failed') {
        // The question is moot: this run decides on its own (or finds nothing wrong). Approving the old
        // numbers later would act on a situation that no longer exists.
        if (!close(ctx, row, waiting, `no longer needed: the run of ${now} decided "${a.action}" on its own`)) {
          // An approver answered while this run was working: their decision stands, the run does not act again.
          const decided = deps.store.escalations.get(waiting.id);
          if (decided && (decided.status === 'approved' || decided.status === 'overridden')) {
            row.escalationId = decided.id;
            row.status = decided.status;
            row.actionNote = `Decided by ${decided.decidedBy} at ${decided.decidedAt} while this run was working; the run does not act on it again.`;
            results.push(row);
            if (++done % 1000 === 0 || done === total) progress('acting', done, total);
            continue;
          }
        }
      }
      if (a.action === 'escalate') escalate(ctx, row, a.proposedAction ?? 'alert', a.reason);
      else if (a.action === 'halt') await halt(ctx, row);
      else if (a.action === 'alert') await notify(ctx, row);
      results.push(row);
      if (++done % 1000 === 0 || done === total) progress('acting', done, total);
    }
  } finally {
    flushDeferred(ctx);
  }
  return { results, opened, superseded: ctx.superseded };
}

/**
 * The row for an assessment, with the same keys in the same order as `{ ...a, runId, status, escalationId,
 * actionNote }`. Written out as one literal because V8 builds a spread of a 27-key object plus four keys slowly
 * (about 7 µs a row) and gives the rows shapes that serialise slowly; at 10,000 rows that was ~50 ms of a cycle
 * here and more when the results are stored. The mapped type makes a key added to Assessment a compile error
 * until it is copied here too.
 */
function resultRow(a: Assessment, runId: string): ResultRow {
  const row: { [K in keyof Required<ResultRow>]: ResultRow[K] } = {
    key: a.key,
    line: a.line,
    campaignId: a.campaignId,
    campaignName: a.campaignName,
    platform: a.platform,
    platformCampaignId: a.platformCampaignId,
    platformCampaignName: a.platformCampaignName,
    platformStatus: a.platformStatus,
    market: a.market,
    product: a.product,
    ownerSlackId: a.ownerSlackId,
    currency: a.currency,
    platformCurrency: a.platformCurrency,
    matchedBy: a.matchedBy,
    confidence: a.confidence,
    confidenceParts: a.confidenceParts,
    dataAgeHours: a.dataAgeHours,
    reportingLagHours: a.reportingLagHours,
    targetSpend: a.targetSpend,
    actualSpend: a.actualSpend,
    variancePct: a.variancePct,
    severity: a.severity,
    zeroDelivery: a.zeroDelivery,
    action: a.action,
    proposedAction: a.proposedAction,
    reason: a.reason,
    rootCause: a.rootCause,
    mitigation: a.mitigation,
    runId,
    status: 'done',
    escalationId: null,
    actionNote: null,
    pause: null,
  };
  return row;
}

interface Ctx {
  deps: AgentDeps;
  opened: Escalation[];
  /** Escalations closed because the campaign got worse; their threads are resumed after the graph. */
  superseded: Escalation[];
  /** Escalations awaiting a decision, by campaign key. */
  open: Map<string, Escalation>;
  now: string;
  /**
   * Audit events that record that nothing changed (a pause skipped, a row linked to an open escalation).
   * Thousands of them, each its own SQLite commit, cost a large share of a cycle; they are written in one
   * transaction instead, before any event that records a change (so the trail keeps its order) and when
   * acting ends. Events that record a change (a pause, a failed pause, a new escalation) are written at once.
   */
  deferred: NewAuditEvent[];
}

function flushDeferred(ctx: Ctx): void {
  if (ctx.deferred.length === 0) return;
  ctx.deps.store.audit.appendAll(ctx.deferred.splice(0));
}

/** Writes an event that records a change: at once, after the deferred events that came before it. */
function appendNow(ctx: Ctx, event: NewAuditEvent): void {
  flushDeferred(ctx);
  ctx.deps.store.audit.append(event);
}

async function halt(ctx: Ctx, row: ResultRow): Promise<void> {
  const { deps, now } = ctx;
  const platform = deps.platforms.get(row.platform);
  const where = {
    runId: row.runId,
    campaignId: row.campaignId,
    platform: row.platform,
    platformCampaignId: row.platformCampaignId,
  };
  if (row.platformStatus === 'PAUSED') {
    row.pause = 'already_paused';
    // Said once: a campaign that stays paused is not announced again every run (the status shows it).
    const told =
      row.platformCampaignId !== null &&
      deps.store.audit.hasPauseRecord(row.platform, row.platformCampaignId, row.runId);
    skipPause(ctx, row, 'it was already paused on the platform');
    if (!told) await notify(ctx, row);
    return;
  }
  try {
    if (!platform || row.platformCampaignId === null) throw new Error(`no ${row.platform} adapter to pause with`);
    const outcome = await platform.pause(row.platformCampaignId);
    row.pause = outcome;
    if (outcome === 'already_paused') {
      skipPause(ctx, row, 'the platform reported it already paused');
    } else if (outcome === 'would_pause') {
      // Dry run: said everywhere a pause would have happened, recorded as such, never as campaign_paused.
      appendNow(ctx, {
        at: now,
        type: 'pause_dry_run',
        actor: 'agent',
        ...where,
        details: { reason: row.reason, variancePct: row.variancePct, confidence: row.confidence },
      });
      row.actionNote = 'Dry run: would pause (PACING_MODE=dry-run; nothing was changed on the platform).';
    } else {
      // Recorded at once, not with the rest of the cycle: a pause that took effect must never go unrecorded.
      appendNow(ctx, {
        at: now,
        type: 'campaign_paused',
        actor: 'agent',
        ...where,
        details: { reason: row.reason, variancePct: row.variancePct, confidence: row.confidence },
      });
      row.platformStatus = 'PAUSED';
      row.actionNote = 'Paused by the agent.';
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // The change may have gone through although the call failed (a failed read-back, a dropped answer):
    // a pause that took effect is recorded as one, never as a failure.
    const status = await platform?.currentStatus?.(row.platformCampaignId ?? '').catch(() => null);
    if (status === 'PAUSED') {
      appendNow(ctx, {
        at: now,
        type: 'campaign_paused',
        actor: 'agent',
        ...where,
        details: { reason: row.reason, variancePct: row.variancePct, confidence: row.confidence, afterError: message },
      });
      row.pause = 'paused';
      row.platformStatus = 'PAUSED';
      row.actionNote = 'Paused by the agent (confirmed by reading the status back after an error).';
      await notify(ctx, row);
      return;
    }
    appendNow(ctx, { at: now, type: 'pause_failed', actor: 'agent', ...where, details: { error: message } });
    addCause(row, {
      code: 'pause_failed',
      message: `The automatic pause failed: ${message}`,
      evidence: { error: message },
    });
    row.actionNote = `Pause failed: ${message}`;
    row.pause = 'failed';
    escalate(
      ctx,
      row,
      'halt',
      `The automatic pause failed (${message}); an approver must pause it or decide otherwise.`,
    );
    row.status = 'failed';
  }
  await notify(ctx, row);
}

/**
 * Tells the notifier, and never lets its failure change what happened to the campaign or stop the run: the
 * failure is audited instead (the Slack notifier only queues, so this is a last line of defence).
 */
async function notify(ctx: Ctx, row: ResultRow): Promise<void> {
  try {
    await ctx.deps.notifier.alert(row);
  } catch (err) {
    appendNow(ctx, {
      at: ctx.now,
      runId: row.runId,
      type: 'notification_failed',
      actor: 'agent',
      campaignId: row.campaignId,
      platform: row.platform,
      platformCampaignId: row.platformCampaignId,
      details: { error: err instanceof Error ? err.message : String(err) },
    });
  }
}

function skipPause(ctx: Ctx, row: ResultRow, why: string): void {
  addCause(row, {
    code: 'already_paused',
    message: `Not paused again: ${why}.`,
    evidence: { platformStatus: 'PAUSED' },
  });
  row.actionNote = `Not paused again: ${why}.`;
  ctx.deferred.push({
    at: ctx.now,
    runId: row.runId,
    type: 'pause_skipped',
    campaignId: row.campaignId,
    platform: row.platform,
    platformCampaignId: row.platformCampaignId,
    actor: 'agent',
    details: { reason: why },
  });
}

function addCause(row: ResultRow, cause: Cause): void {
  row.rootCause = [...row.rootCause, cause];
  row.mitigation = [...row.mitigation, ...mitigate([cause])];
}

/** Opens an escalation with its own thread, or points at the one already waiting for this campaign. */
function escalate(ctx: Ctx, row: ResultRow, proposed: ProposedAction, reason: string): void {
  const { deps, now } = ctx;
  const where = {
    runId: row.runId,
    campaignId: row.campaignId,
    platform: row.platform,
    platformCampaignId: row.platformCampaignId,
  };
  if (
    proposed === 'halt' &&
    row.platformStatus === 'PAUSED' &&
    !row.rootCause.some((c) => c.code === 'already_paused')
  ) {
    addCause(row, {
      code: 'already_paused',
      message: 'The campaign is already paused on the platform: approving changes nothing there.',
      evidence: { platformStatus: 'PAUSED' },
    });
  }
  let open = ctx.open.get(row.key) ?? null;
  row.status = 'awaiting_approval';
  const id = (deps.newId ?? newId)('esc');
  if (open && open.proposedAction === 'alert' && proposed === 'halt') {
    // It got worse: the open question (alert?) no longer fits. It is closed as superseded, so approvers are
    // asked about the pause with today's numbers instead of approving an alert about old ones.
    close(ctx, row, open, `superseded by ${id}: the campaign now warrants a pause`);
    // Closed by this run, or decided a moment ago by an approver: either way the "alert?" question does not
    // answer today's "pause?", which is asked (or found answered) below.
    open = null;
  }
  if (!open) {
    const decided = deps.store.escalations.latestDecidedFor(row.key);
    if (
      decided &&
      decidedRecently(decided, now, deps.approvalTimeoutHours) &&
      covers(decided.proposedAction, proposed) &&
      !worse(row, decided.snapshot, deps.thresholds.healthyVariance)
    ) {
      // Asked and answered: the same question is not put to approvers again within the approval window.
      row.escalationId = decided.id;
      row.status = decided.status === 'approved' ? 'approved' : 'overridden';
      row.actionNote = `${decided.status === 'approved' ? 'Approved' : 'Overridden'} by ${decided.decidedBy} at ${decided.decidedAt} (${decided.id}); not asked again before ${addHours(decided.decidedAt as string, deps.approvalTimeoutHours)} unless it gets worse.`;
      ctx.deferred.push({
        at: now,
        type: 'escalation_linked',
        actor: 'agent',
        ...where,
        details: { escalationId: decided.id, decided: decided.status },
      });
      return;
    }
  }
  if (open) {
    row.escalationId = open.id;
    row.actionNote = `Already awaiting a decision on ${open.id} (raised ${open.createdAt}).`;
    ctx.deferred.push({
      at: now,
      type: 'escalation_linked',
      actor: 'agent',
      ...where,
      details: { escalationId: open.id },
    });
    return;
  }
  row.escalationId = id;
  flushDeferred(ctx);
  const { escalation } = deps.store.escalations.open({
    id,
    runId: row.runId,
    key: row.key,
    campaignId: row.campaignId,
    platform: row.platform,
    platformCampaignId: row.platformCampaignId,
    proposedAction: proposed,
    reason,
    createdAt: now,
    expiresAt: addHours(now, deps.approvalTimeoutHours),
    threadId: `escalation:${id}`,
    snapshot: row,
  });
  deps.store.audit.append({
    at: now,
    type: 'escalation_opened',
    actor: 'agent',
    ...where,
    details: { escalationId: id, proposedAction: proposed, reason, expiresAt: escalation.expiresAt },
  });
  ctx.opened.push(escalation);
  ctx.open.set(row.key, escalation);
}

/** Closes an open escalation without a decision (as expired, with why); true when this run closed it. */
function close(ctx: Ctx, row: ResultRow, open: Escalation, note: string): boolean {
  const { deps, now } = ctx;
  flushDeferred(ctx);
  const claimed = deps.store.transaction(() => {
    const c = deps.store.escalations.claim(open.id, 'expired', 'agent', now, note);
    if (c.claimed) {
      deps.store.audit.append({
        at: now,
        runId: row.runId,
        type: 'escalation_expired',
        actor: 'agent',
        campaignId: row.campaignId,
        platform: row.platform,
        platformCampaignId: row.platformCampaignId,
        details: { escalationId: c.escalation.id, note },
      });
    }
    return c;
  });
  if (!claimed.claimed) return false;
  ctx.superseded.push(claimed.escalation);
  ctx.open.delete(open.key);
  return true;
}

function decidedRecently(e: Escalation, now: string, hours: number): boolean {
  return e.outcome === 'done' && e.decidedAt !== null && Date.parse(now) - Date.parse(e.decidedAt) < hours * 3_600_000;
}

/** A decision on a pause also answers the milder question of an alert. */
const covers = (decided: ProposedAction, asked: ProposedAction): boolean => decided === asked || decided === 'halt';

/**
 * Whether the campaign is clearly worse than when the decision was taken: its variance moved further from
 * plan by more than the healthy band, or (without a variance) its spend grew by more than a quarter.
 */
function worse(now: ResultRow, then: ResultRow, band: number): boolean {
  if (now.variancePct !== null && then.variancePct !== null)
    return Math.abs(now.variancePct) > Math.abs(then.variancePct) + band;
  if (now.actualSpend !== null && then.actualSpend !== null) return now.actualSpend > then.actualSpend * 1.25;
  return false;
}
