// Which incidents should be open, as a pure function of what the store says and what paging remembers: every path
// that pages (after a run, after a decision, at start, every minute) agrees, and evaluating twice changes nothing.
import { createHash } from 'node:crypto';
import { formatMoney } from '../domain/money.js';
import { redactAndClip } from '../redact.js';
import type {
  FailedBudgetChange,
  FailedPause,
  KnownIncident,
  PagingFacts,
  PagingPlan,
  RefusedMessage,
  Resolve,
  RunOutcomes,
  Storm,
  Trigger,
  UnavailablePlatform,
} from './incidents.js';

export type * from './incidents.js';

/** PagerDuty keeps dedup keys up to 255 characters; a longer one keeps its start and a hash of the whole. */
export function dedupKey(text: string): string {
  if (text.length <= 255) return text;
  return `${text.slice(0, 238)}:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

export const DEDUP = {
  pauseFailed: (platform: string, platformCampaignId: string) =>
    dedupKey(`pacing:pause_failed:${platform}:${platformCampaignId}`),
  budgetChangeFailed: (platform: string, platformCampaignId: string) =>
    dedupKey(`pacing:budget_change_failed:${platform}:${platformCampaignId}`),
  platformUnavailable: (platform: string) => dedupKey(`pacing:platform_unavailable:${platform}`),
  storm: (escalationId: string) => dedupKey(`pacing:storm:${escalationId}`),
  messageRefused: (outboxId: number) => dedupKey(`pacing:message_refused:${outboxId}`),
  runFailed: 'pacing:run_failed',
} as const;

const RESOLVED_BY_DEFAULT: Record<string, string> = {
  pause_failed: 'a later pause of the campaign took effect (or found it paused)',
  budget_change_failed: "a later change or read-back of the campaign's daily budget took effect",
  platform_unavailable: 'the platform was read in the latest run',
  storm: 'the batch escalation was decided or closed',
  run_failed: 'a later run completed',
  message_refused: 'the message was sent after all, or forgotten',
};

/**
 * Compares the conditions that hold now with the incidents paging remembers: a condition without an open incident
 * is triggered (unless it is the very failure an incident was already resolved for), an open incident whose
 * condition no longer holds is resolved. A run failure is resolved only by a run that completed after it opened.
 */
export function evaluatePaging(facts: PagingFacts, known: ReadonlyMap<string, KnownIncident>): PagingPlan {
  const holding = new Map<string, Trigger>();
  const cleared = new Map<string, { reason: string; occurrence: string | null }>();

  for (const p of facts.failedPauses) {
    const key = DEDUP.pauseFailed(p.platform, p.platformCampaignId);
    const why = pauseCleared(p);
    if (why) cleared.set(key, { reason: why, occurrence: p.intentKey });
    else holding.set(key, pauseFailedTrigger(key, p));
  }
  for (const b of facts.failedBudgetChanges) {
    const key = DEDUP.budgetChangeFailed(b.platform, b.platformCampaignId);
    if (b.kept) cleared.set(key, { reason: 'an approver decided to keep the budget', occurrence: String(b.auditId) });
    else holding.set(key, budgetFailedTrigger(key, b));
  }
  for (const u of facts.unavailable) {
    const key = DEDUP.platformUnavailable(u.platform);
    holding.set(key, unavailableTrigger(key, u));
  }
  for (const s of facts.storms) {
    const key = DEDUP.storm(s.escalationId);
    holding.set(key, stormTrigger(key, s));
  }
  for (const m of facts.refusedMessages) {
    const key = DEDUP.messageRefused(m.outboxId);
    holding.set(key, refusedTrigger(key, m));
  }
  const run = runFailedTrigger(facts.runs);
  if (run) holding.set(run.dedupKey, run);

  const trigger: Trigger[] = [];
  for (const [key, t] of holding) {
    const k = known.get(key);
    if (k?.status === 'open') continue;
    if (k?.status === 'resolved' && t.occurrence !== null && k.occurrence === t.occurrence) continue;
    trigger.push(t);
  }
  const resolve: Resolve[] = [];
  for (const k of known.values()) {
    if (k.status !== 'open' || holding.has(k.dedupKey)) continue;
    if (k.kind === 'run_failed' && facts.runs.lastCompletedAuditId <= k.watermark) continue;
    const c = cleared.get(k.dedupKey);
    resolve.push({
      dedupKey: k.dedupKey,
      kind: k.kind,
      reason: c?.reason ?? RESOLVED_BY_DEFAULT[k.kind] ?? 'the condition cleared',
      occurrence: c?.occurrence ?? null,
    });
  }
  return { trigger, resolve };
}

/** Why a failed pause no longer needs anyone, or null while it still does. */
export function pauseCleared(p: FailedPause): string | null {
  if (p.overridden) return 'an approver decided not to pause it';
  const later = p.later;
  if (later === null) return null;
  if (!later.present) return 'the campaign is no longer in the latest run';
  // A run that could not read the platform says nothing about the campaign.
  if (later.unavailable) return null;
  if (later.platformStatus === 'PAUSED') return 'the latest run found it paused';
  const wantsPause = later.action === 'halt' || (later.action === 'escalate' && later.proposedAction === 'halt');
  return wantsPause ? null : 'the latest run no longer calls for pausing it';
}

function pauseFailedTrigger(key: string, p: FailedPause): Trigger {
  const name = p.campaignName
    ? `"${p.campaignName}" (${p.platform} ${p.platformCampaignId})`
    : `${p.platform} campaign ${p.platformCampaignId}`;
  const how = p.escalationId && p.actor !== 'agent' ? `approved by ${p.actor}` : 'autonomous';
  return {
    dedupKey: key,
    kind: 'pause_failed',
    severity: 'critical',
    summary: clip(
      `Pause failed: ${name} is still running (${how} pause): ${p.error}. Pause it by hand on the platform, or decide in Slack.`,
    ),
    component: p.platform,
    occurrence: p.intentKey,
    details: {
      campaignId: p.campaignId,
      platform: p.platform,
      platformCampaignId: p.platformCampaignId,
      error: p.error,
      actor: p.actor,
      runId: p.runId,
      escalationId: p.escalationId,
      failedAt: p.at,
    },
  };
}

function budgetFailedTrigger(key: string, b: FailedBudgetChange): Trigger {
  const name = `${b.platform} campaign ${b.platformCampaignId}${b.campaignId ? ` (${b.campaignId})` : ''}`;
  const how = b.restore ? `restore by ${b.actor}` : b.actor === 'agent' ? 'autonomous' : `approved by ${b.actor}`;
  const meant = b.to === null ? '' : ` to ${formatMoney(b.to, b.currency)}`;
  const kept = b.from === null ? '' : ` (it was ${formatMoney(b.from, b.currency)})`;
  return {
    dedupKey: key,
    kind: 'budget_change_failed',
    // The budget stays as it was: money keeps moving at the old pace, but nothing runs away as after a failed pause.
    severity: 'error',
    summary: clip(
      `Budget change failed: ${name} was not set${meant}${kept} (${how} change): ${b.error}. Set it by hand on the platform, or decide in Slack; see \`pacing audit\`.`,
    ),
    component: b.platform,
    occurrence: String(b.auditId),
    details: {
      campaignId: b.campaignId,
      platform: b.platform,
      platformCampaignId: b.platformCampaignId,
      from: b.from,
      to: b.to,
      currency: b.currency,
      error: b.error,
      actor: b.actor,
      runId: b.runId,
      escalationId: b.escalationId,
      failedAt: b.at,
    },
  };
}

function unavailableTrigger(key: string, u: UnavailablePlatform): Trigger {
  const first = u.messages[0] ?? 'no detail was recorded';
  return {
    dedupKey: key,
    kind: 'platform_unavailable',
    severity: 'error',
    summary: clip(
      `${u.platform} could not be read in the latest pacing run${u.campaigns ? ` (${u.campaigns} plan row${u.campaigns === 1 ? '' : 's'} left without data)` : ''}: ${first}`,
    ),
    component: u.platform,
    occurrence: null,
    details: { platform: u.platform, runId: u.runId, campaigns: u.campaigns, messages: u.messages.slice(0, 5) },
  };
}

function stormTrigger(key: string, s: Storm): Trigger {
  return {
    dedupKey: key,
    kind: 'storm',
    severity: s.kind === 'data_fault' ? 'error' : 'warning',
    summary: clip(`${stormWhat(s)} (escalation ${s.escalationId}): ${s.reason}`),
    component: s.platform,
    occurrence: null,
    details: {
      escalationId: s.escalationId,
      batch: s.kind,
      proposedAction: s.proposedAction,
      platform: s.platform,
      campaigns: s.campaigns,
      reason: s.reason,
      openedAt: s.createdAt,
    },
  };
}

function refusedTrigger(key: string, m: RefusedMessage): Trigger {
  const about = m.campaignId ?? m.platformCampaignId ?? m.escalationId ?? `message ${m.outboxId}`;
  const what =
    m.kind === 'halt'
      ? `Slack refused the alert for the pause of ${about}: nobody in ${m.channel} was told it was paused`
      : `Slack refused the escalation about ${about}: no approver in ${m.channel} was asked`;
  const next =
    m.kind === 'halt'
      ? 'See `pacing audit`; the campaign can be resumed with `pacing resume-campaign`.'
      : 'Decide with `pacing pending` and `pacing approve|reject`.';
  return {
    dedupKey: key,
    kind: 'message_refused',
    severity: 'error',
    summary: clip(`${what} (${m.error}). ${next}`),
    component: 'slack',
    occurrence: String(m.outboxId),
    details: {
      outboxId: m.outboxId,
      message: m.kind,
      channel: m.channel,
      error: m.error,
      campaignId: m.campaignId,
      platform: m.platform,
      platformCampaignId: m.platformCampaignId,
      escalationId: m.escalationId,
      runId: m.runId,
      queuedAt: m.createdAt,
    },
  };
}

/** The page's headline, fitted to what the batch holds: would-be pauses, or planned campaigns missing from the data. */
function stormWhat(s: Storm): string {
  const n = s.campaigns;
  if (s.kind === 'halt_budget')
    return `${n} pause${n === 1 ? '' : 's'} over MAX_AUTONOMOUS_HALTS held for one decision`;
  if (s.proposedAction === 'alert')
    return `${s.platform} data looks faulty: ${n} planned campaign${n === 1 ? ' is' : 's are'} missing from it, held for one check (nothing is paused)`;
  return `${s.platform} data looks faulty: ${n} would-be pause${n === 1 ? '' : 's'} held for one decision`;
}

function runFailedTrigger(r: RunOutcomes): Trigger | null {
  const failed = r.lastFailed !== null && r.lastFailed.auditId > r.lastCompletedAuditId ? r.lastFailed : null;
  if (!failed && !r.thrown) return null;
  const error = failed?.error ?? r.thrown?.error ?? 'unknown error';
  return {
    dedupKey: DEDUP.runFailed,
    kind: 'run_failed',
    severity: 'error',
    summary: clip(`A pacing run failed, so nothing was checked or acted on: ${error}`),
    component: 'pacing-run',
    occurrence: null,
    details: {
      error,
      runId: failed?.runId ?? null,
      failedAt: failed?.at ?? null,
      ...(r.thrown ? { trigger: r.thrown.trigger } : {}),
    },
  };
}

/** PagerDuty's summary holds at most 1,024 characters; redacted before it is cut, so no secret is split. */
export function clip(text: string, max = 1024): string {
  return redactAndClip(text.replace(/\s+/g, ' ').trim(), max);
}
