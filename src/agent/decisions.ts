// Human decisions on escalations: claimed atomically and audited (by the effects), then handed to the
// escalation's thread.

import type { Decision, Escalation } from '../domain/records.js';
import { DecisionConflict, NotAuthorised } from '../errors.js';
import type { AgentDeps } from './deps.js';
import { adoptUnsettled, claim } from './effects/index.js';
import { type EscalationGraph, resumeEscalation } from './escalation.js';

const AGENT = 'agent';

export class Decisions {
  constructor(
    private readonly deps: AgentDeps,
    private readonly graph: EscalationGraph,
  ) {}

  /** May this user decide? With no approvers configured only the local operator (CLI) may. */
  mayDecide(actor: string, channel: 'cli' | 'slack'): boolean {
    if (this.deps.approvers.length === 0) return channel === 'cli';
    return this.deps.approvers.includes(actor);
  }

  /**
   * Approve (carry out the proposal) or override (reject). Throws DecisionConflict when the escalation does
   * not exist, was already decided, or has expired, and NotAuthorised for someone who may not decide.
   */
  async decide(
    id: string,
    decision: Exclude<Decision, 'expired'>,
    actor: string,
    note: string | null,
    channel: 'cli' | 'slack',
  ): Promise<Escalation> {
    if (!this.mayDecide(actor, channel)) {
      throw new NotAuthorised(
        this.deps.approvers.length === 0
          ? 'No approvers are configured (PACING_APPROVERS), so decisions can only be taken from the CLI.'
          : `${actor} is not an approver (PACING_APPROVERS); ask one of ${this.deps.approvers.join(', ')}.`,
      );
    }
    const existing = await this.deps.store.escalations.get(id);
    if (!existing)
      throw new DecisionConflict(id, `There is no escalation ${id}. \`pacing pending\` lists the open ones.`, null);
    const now = this.deps.clock();
    if (existing.status === 'pending' && existing.expiresAt <= now) {
      await this.expire(existing);
      throw new DecisionConflict(
        id,
        `Escalation ${id} expired at ${existing.expiresAt} before a decision; nothing was changed.`,
        'expired',
      );
    }
    // The claim and its audit event land together, or neither does.
    const claimed = await claim(this.deps, id, decision, actor, now, note);
    if (!claimed.claimed) throw conflict(id, claimed.escalation);
    await resumeEscalation(this.graph, claimed.escalation, { decision, actor, at: now, note });
    return (await this.deps.store.escalations.get(id)) as Escalation;
  }

  /** Resolves every escalation past its deadline as expired: logged, nothing paused. */
  async expireDue(): Promise<Escalation[]> {
    const expired: Escalation[] = [];
    for (const e of await this.deps.store.escalations.due(this.deps.clock())) {
      if (await this.expire(e)) expired.push((await this.deps.store.escalations.get(e.id)) as Escalation);
    }
    return expired;
  }

  /** Carries out decisions that were claimed but not finished because the process stopped. */
  async recover(): Promise<number> {
    const unsettled = await adoptUnsettled(this.deps);
    for (const e of unsettled) {
      await resumeEscalation(this.graph, e, {
        decision: e.status as Decision,
        actor: e.decidedBy ?? AGENT,
        at: e.decidedAt ?? this.deps.clock(),
        note: e.decisionNote,
      });
    }
    return unsettled.length;
  }

  private async expire(e: Escalation): Promise<boolean> {
    const now = this.deps.clock();
    const claimed = await claim(this.deps, e.id, 'expired', AGENT, now, null);
    if (!claimed.claimed) return false;
    await resumeEscalation(this.graph, claimed.escalation, { decision: 'expired', actor: AGENT, at: now, note: null });
    return true;
  }
}

function conflict(id: string, e: Escalation | null): DecisionConflict {
  if (!e) return new DecisionConflict(id, `There is no escalation ${id}.`, null);
  if (e.status === 'pending') {
    return new DecisionConflict(id, `Escalation ${id} expired at ${e.expiresAt}; nothing was changed.`, 'expired');
  }
  const who = e.decidedBy === AGENT ? 'the agent' : e.decidedBy;
  if (e.status === 'expired') {
    const what = e.decisionNote
      ? `expired at ${e.decidedAt}, closed by a later run (${e.decisionNote})`
      : `expired at ${e.decidedAt} before a decision`;
    return new DecisionConflict(id, `Escalation ${id} ${what}; nothing was changed.`, e.status);
  }
  const what = `already ${e.status === 'approved' ? 'approved' : 'rejected'} by ${who} at ${e.decidedAt}`;
  if (e.outcome === 'failed') {
    return new DecisionConflict(
      id,
      `Escalation ${id} was ${what}, but carrying it out failed: ${e.outcomeDetail ?? 'see the audit trail'}`,
      e.status,
    );
  }
  return new DecisionConflict(id, `Escalation ${id} was ${what}; nothing was changed.`, e.status);
}
