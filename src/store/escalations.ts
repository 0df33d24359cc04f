// Escalations awaiting a human, and the atomic claim that makes each decision happen once.
import type { Decision, Escalation, EscalationStatus } from '../agent/ports.js';
import type { Platform, ProposedAction } from '../domain/types.js';
import type { Db } from './db.js';
import { ownerAlive, PROCESS_ID } from './state.js';

export type NewEscalation = Pick<
  Escalation,
  | 'id'
  | 'runId'
  | 'key'
  | 'campaignId'
  | 'platform'
  | 'platformCampaignId'
  | 'proposedAction'
  | 'reason'
  | 'createdAt'
  | 'expiresAt'
  | 'threadId'
  | 'snapshot'
>;

interface EscalationRecord {
  id: string;
  run_id: string;
  key: string;
  campaign_id: string | null;
  platform: Platform;
  platform_campaign_id: string | null;
  proposed_action: ProposedAction;
  reason: string;
  status: EscalationStatus;
  outcome: 'done' | 'failed' | null;
  outcome_detail: string | null;
  created_at: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  thread_id: string;
  snapshot: string;
}

const toEscalation = (r: EscalationRecord): Escalation => ({
  id: r.id,
  runId: r.run_id,
  key: r.key,
  campaignId: r.campaign_id,
  platform: r.platform,
  platformCampaignId: r.platform_campaign_id,
  proposedAction: r.proposed_action,
  reason: r.reason,
  status: r.status,
  outcome: r.outcome,
  outcomeDetail: r.outcome_detail,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  decisionNote: r.decision_note,
  threadId: r.thread_id,
  snapshot: JSON.parse(r.snapshot) as Escalation['snapshot'],
});

export type ClaimResult = { claimed: true; escalation: Escalation } | { claimed: false; escalation: Escalation | null };

export class EscalationStore {
  constructor(private readonly db: Db) {}

  /** Opens an escalation, or returns the one already pending for the same campaign. */
  open(e: NewEscalation): { created: boolean; escalation: Escalation } {
    const existing = this.pendingFor(e.key);
    if (existing) return { created: false, escalation: existing };
    this.db
      .prepare(
        `INSERT INTO escalations (id, run_id, key, campaign_id, platform, platform_campaign_id, proposed_action, reason, status, created_at, expires_at, thread_id, snapshot)
         VALUES (@id, @runId, @key, @campaignId, @platform, @platformCampaignId, @proposedAction, @reason, 'pending', @createdAt, @expiresAt, @threadId, @snapshot)`,
      )
      .run({ ...e, snapshot: JSON.stringify(e.snapshot) });
    return { created: true, escalation: this.get(e.id) as Escalation };
  }

  pendingFor(key: string): Escalation | null {
    const r = this.db.prepare(`SELECT * FROM escalations WHERE key = ? AND status = 'pending'`).get(key) as
      | EscalationRecord
      | undefined;
    return r ? toEscalation(r) : null;
  }

  /** The latest approved or overridden escalation about this campaign, if any. */
  latestDecidedFor(key: string): Escalation | null {
    const r = this.db
      .prepare(
        `SELECT * FROM escalations WHERE key = ? AND status IN ('approved', 'overridden') ORDER BY decided_at DESC, rowid DESC LIMIT 1`,
      )
      .get(key) as EscalationRecord | undefined;
    return r ? toEscalation(r) : null;
  }

  get(id: string): Escalation | null {
    const r = this.db.prepare('SELECT * FROM escalations WHERE id = ?').get(id) as EscalationRecord | undefined;
    return r ? toEscalation(r) : null;
  }

  pending(): Escalation[] {
    return (
      this.db
        .prepare(`SELECT * FROM escalations WHERE status = 'pending' ORDER BY created_at, id`)
        .all() as EscalationRecord[]
    ).map(toEscalation);
  }

  /** Pending escalations whose time is up at `now`. */
  due(now: string): Escalation[] {
    return (
      this.db
        .prepare(`SELECT * FROM escalations WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at`)
        .all(now) as EscalationRecord[]
    ).map(toEscalation);
  }

  /** Escalations decided since `since` (exclusive), for the digest. */
  decidedSince(since: string | null): Escalation[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM escalations WHERE status != 'pending' AND (? IS NULL OR decided_at > ?) ORDER BY decided_at`,
        )
        .all(since, since) as EscalationRecord[]
    ).map(toEscalation);
  }

  /**
   * Takes the decision if, and only if, the escalation is still pending (and, unless it is an expiry, not yet
   * past its time). One UPDATE decides the race: the loser changes nothing and learns the current state.
   */
  claim(id: string, decision: Decision, actor: string, at: string, note: string | null): ClaimResult {
    const changed = this.db
      .prepare(
        `UPDATE escalations SET status = @decision, decided_by = @actor, decided_at = @at, decision_note = @note, claimed_by = @owner
         WHERE id = @id AND status = 'pending' AND (@decision = 'expired' OR expires_at > @at)`,
      )
      .run({ id, decision, actor, at, note, owner: PROCESS_ID }).changes;
    const escalation = this.get(id);
    return changed === 1 && escalation ? { claimed: true, escalation } : { claimed: false, escalation };
  }

  settle(id: string, outcome: 'done' | 'failed', detail: string): void {
    this.db.prepare('UPDATE escalations SET outcome = ?, outcome_detail = ? WHERE id = ?').run(outcome, detail, id);
  }

  /**
   * Decided but not carried out, by a process that is gone (it stopped between the claim and the end of the
   * resume). A decision another live process is still carrying out is left to it, so nothing happens twice.
   */
  unsettled(): Escalation[] {
    const rows = this.db
      .prepare(`SELECT * FROM escalations WHERE status != 'pending' AND outcome IS NULL ORDER BY decided_at`)
      .all() as (EscalationRecord & { claimed_by: string | null })[];
    return rows.filter((r) => !ownerAlive(r.claimed_by)).map(toEscalation);
  }

  /** Takes over a decision whose claiming process is gone, so that only this one carries it out. */
  adopt(id: string): boolean {
    const r = this.db.prepare('SELECT claimed_by FROM escalations WHERE id = ? AND outcome IS NULL').get(id) as
      | { claimed_by: string | null }
      | undefined;
    if (!r || ownerAlive(r.claimed_by)) return false;
    return (
      this.db
        .prepare('UPDATE escalations SET claimed_by = ? WHERE id = ? AND outcome IS NULL AND claimed_by IS ?')
        .run(PROCESS_ID, id, r.claimed_by).changes === 1
    );
  }

  /** Settled escalations decided before `before` whose threads still hold checkpoints. */
  prunable(before: string): Escalation[] {
    return (
      this.db
        .prepare(`SELECT * FROM escalations WHERE outcome IS NOT NULL AND thread_pruned = 0 AND decided_at < ?`)
        .all(before) as EscalationRecord[]
    ).map(toEscalation);
  }

  /** Where the escalation's Slack message is, so that its outcome can replace it in place. */
  setMessage(id: string, channel: string, ts: string): void {
    this.db.prepare('UPDATE escalations SET message_channel = ?, message_ts = ? WHERE id = ?').run(channel, ts, id);
  }

  message(id: string): { channel: string; ts: string } | null {
    const r = this.db
      .prepare('SELECT message_channel AS channel, message_ts AS ts FROM escalations WHERE id = ?')
      .get(id) as { channel: string | null; ts: string | null } | undefined;
    return r?.channel && r.ts ? { channel: r.channel, ts: r.ts } : null;
  }

  markPruned(id: string): void {
    this.db.prepare('UPDATE escalations SET thread_pruned = 1 WHERE id = ?').run(id);
  }
}
