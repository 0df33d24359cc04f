// Escalations as the agent changes them: opened, claimed, expired, settled, noted, grown and shrunk, each with its
// audit event in the same transaction; and an approved alert, raised at most once.
import type { BatchMember, Decision, Escalation, ResultRow } from '../../domain/records.js';
import type { RowStatus } from '../../domain/types.js';
import type { ClaimResult } from '../../store/escalations.js';
import type { AgentDeps } from '../deps.js';
import { addHours } from '../deps.js';
import { where } from './audit-fields.js';
import { notify } from './tell.js';

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
): Promise<Escalation> {
  const now = deps.clock();
  const single = spec.batch === null;
  return deps.store.transaction(async (tx) => {
    const { escalation } = await tx.escalations.open({
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
    await tx.audit.append({
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
export async function closeEscalation(
  deps: AgentDeps,
  id: string,
  runId: string,
  note: string,
): Promise<Escalation | null> {
  const now = deps.clock();
  const claimed = await deps.store.transaction(async (tx) => {
    const c = await tx.escalations.claim(id, 'expired', 'agent', now, note);
    if (c.claimed) {
      await tx.audit.append({
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
): Promise<ClaimResult> {
  return deps.store.transaction(async (tx) => {
    const c = await tx.escalations.claim(id, decision, actor, at, note);
    if (c.claimed) {
      const e = c.escalation;
      await tx.audit.append({
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

/**
 * Whether this process starts the escalation's thread: one process does, whichever asks first (the run that
 * opened it, or another process catching up meanwhile); one that stopped before the thread announced it leaves
 * it to the next that catches up.
 */
export function claimThread(deps: AgentDeps, e: Escalation): Promise<boolean> {
  return deps.store.effects.claim(`thread:${e.id}`, deps.clock());
}

/** `claimThread` for a run's new escalations at once: the ids of those whose threads this process starts. */
export async function claimThreads(deps: AgentDeps, opened: readonly Escalation[]): Promise<Set<string>> {
  const held = await deps.store.effects.claimAll(
    opened.map((e) => `thread:${e.id}`),
    deps.clock(),
  );
  return new Set(opened.filter((e) => held.has(`thread:${e.id}`)).map((e) => e.id));
}

/** Decisions a stopped process claimed and never carried out, taken over by this one (each by one process only). */
export async function adoptUnsettled(deps: AgentDeps): Promise<Escalation[]> {
  const adopted: Escalation[] = [];
  for (const e of await deps.store.escalations.unsettled())
    if (await deps.store.escalations.adopt(e.id)) adopted.push(e);
  return adopted;
}

/** Records how a decision was carried out, on the escalation and on the rows that waited for it. */
export async function settle(
  deps: AgentDeps,
  e: Escalation,
  outcome: { status: 'done' | 'failed'; detail: string },
  rows: RowStatus,
): Promise<void> {
  await deps.store.transaction(async (tx) => {
    await tx.escalations.settle(e.id, outcome.status, outcome.detail);
    await tx.runs.setStatusByEscalation(e.id, rows);
  });
}

/** Records an approver's reason for a rejection on the escalation (once) and in the audit trail. */
export async function noteRejection(
  deps: AgentDeps,
  e: Escalation,
  actor: string,
  reason: string,
): Promise<Escalation> {
  await deps.store.transaction(async (tx) => {
    await tx.escalations.setNote(e.id, reason);
    await tx.audit.append({
      at: deps.clock(),
      type: 'override_reason',
      actor,
      ...where(e),
      details: { escalationId: e.id, reason },
    });
  });
  return (await deps.store.escalations.get(e.id)) as Escalation;
}

/**
 * Records an approved alert (one event; a batch's names how many campaigns it flags), and sends a single
 * escalation's alert; at most once for the escalation, also when the decision is carried out again.
 */
export async function approvedAlert(deps: AgentDeps, e: Escalation, actor: string): Promise<void> {
  const key = `alert:${e.id}`;
  if (await deps.store.effects.done(key)) return;
  if (!e.batch) await notify(deps, { ...e.snapshot, status: 'approved', action: 'alert', escalationId: e.id });
  await deps.store.transaction(async (tx) => {
    await tx.audit.append({
      at: deps.clock(),
      type: 'alert_raised',
      actor,
      ...(e.batch ? { runId: e.runId } : where(e)),
      details: { escalationId: e.id, ...(e.batch ? { campaigns: e.batch.members.length } : {}) },
    });
    await tx.effects.record(key, deps.clock());
  });
}

/**
 * Adds members to a pending batch (a storm or trickle that grew) with the reason that describes it now; false
 * when it was decided or closed meanwhile, so the caller asks a new question instead.
 */
export function addMembers(
  deps: AgentDeps,
  escalationId: string,
  members: BatchMember[],
  reason: string,
): Promise<boolean> {
  return deps.store.escalations.addMembers(escalationId, members, reason);
}

/** A member no longer needs its batch's proposal (back on plan): approving the batch leaves it alone. */
export function dropMember(deps: AgentDeps, escalationId: string, key: string): Promise<void> {
  return deps.store.escalations.dropMember(escalationId, key);
}
