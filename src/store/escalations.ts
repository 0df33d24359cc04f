// Escalations awaiting a human, and the atomic claim that makes each decision happen once.
import type { HumanDecision, OpenQuestion } from '../domain/policy.js';
import type { BatchKind, BatchMember, Decision, Escalation, EscalationStatus, PoolFigures } from '../domain/records.js';
import type { Platform, ProposedAction } from '../domain/types.js';
import type { Db } from './db.js';
import { ownerAlive, PROCESS_ID } from './owner.js';

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
  | 'batch'
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
  batch_kind: BatchKind | null;
  batch_figures: string | null;
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
  batch: r.batch_kind
    ? {
        kind: r.batch_kind,
        members: [],
        ...(r.batch_figures ? { pool: JSON.parse(r.batch_figures) as PoolFigures } : {}),
      }
    : null,
});

export type ClaimResult = { claimed: true; escalation: Escalation } | { claimed: false; escalation: Escalation | null };

export class EscalationStore {
  constructor(private readonly db: Db) {}

  /** Opens an escalation (with its members, for a batch), or returns the one already pending for the same key. */
  open(e: NewEscalation): { created: boolean; escalation: Escalation } {
    const existing = this.pendingFor(e.key);
    if (existing) return { created: false, escalation: existing };
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO escalations (id, run_id, key, campaign_id, platform, platform_campaign_id, proposed_action, reason, status, created_at, expires_at, thread_id, snapshot, batch_kind, batch_figures)
           VALUES (@id, @runId, @key, @campaignId, @platform, @platformCampaignId, @proposedAction, @reason, 'pending', @createdAt, @expiresAt, @threadId, @snapshot, @batchKind, @batchFigures)`,
        )
        .run({
          ...e,
          snapshot: JSON.stringify(e.snapshot),
          batchKind: e.batch?.kind ?? null,
          batchFigures: e.batch?.pool ? JSON.stringify(e.batch.pool) : null,
          batch: undefined,
        });
      const insert = this.db.prepare(
        'INSERT INTO escalation_members (escalation_id, seq, key, data, dropped) VALUES (?, ?, ?, ?, 0)',
      );
      e.batch?.members.forEach((m, seq) => {
        insert.run(e.id, seq, m.key, JSON.stringify(m));
      });
    })();
    return { created: true, escalation: this.get(e.id) as Escalation };
  }

  pendingFor(key: string): Escalation | null {
    const r = this.db.prepare(`SELECT * FROM escalations WHERE key = ? AND status = 'pending'`).get(key) as
      | EscalationRecord
      | undefined;
    return r ? this.withMembers(toEscalation(r)) : null;
  }

  /** Open questions by campaign key: a pending escalation's own key, and each standing member of a pending batch. */
  openQuestions(): Map<string, OpenQuestion> {
    const out = new Map<string, OpenQuestion>();
    const rows = this.db
      .prepare(
        `SELECT e.id, e.key, e.proposed_action, e.created_at, e.batch_kind, m.key AS member
         FROM escalations e LEFT JOIN escalation_members m ON m.escalation_id = e.id AND m.dropped = 0
         WHERE e.status = 'pending' ORDER BY e.created_at, e.id`,
      )
      .all() as {
      id: string;
      key: string;
      proposed_action: OpenQuestion['proposedAction'];
      created_at: string;
      batch_kind: string | null;
      member: string | null;
    }[];
    for (const r of rows) {
      const q: OpenQuestion = {
        id: r.id,
        proposedAction: r.proposed_action,
        createdAt: r.created_at,
        batch: r.batch_kind !== null,
        kind: r.batch_kind as BatchKind | null,
      };
      if (r.batch_kind === null) out.set(r.key, q);
      else if (r.member !== null && !out.has(r.member)) out.set(r.member, q);
    }
    return out;
  }

  /**
   * Approvals and rejections taken after `since`, one per campaign key (a batch's answer counts for each of its
   * members), oldest first: a later decision about the same key replaces an earlier one.
   */
  decisionsSince(since: string): { key: string; decision: HumanDecision }[] {
    const rows = this.db
      .prepare(
        `SELECT e.id, e.key, e.status, e.proposed_action, e.decided_by, e.decided_at, e.snapshot, m.key AS member, m.data AS member_data
         FROM escalations e LEFT JOIN escalation_members m ON m.escalation_id = e.id
         WHERE e.status IN ('approved', 'overridden') AND e.decided_at > ? ORDER BY e.decided_at, e.rowid`,
      )
      .all(since) as {
      id: string;
      key: string;
      status: 'approved' | 'overridden';
      proposed_action: OpenQuestion['proposedAction'];
      decided_by: string;
      decided_at: string;
      snapshot: string;
      member: string | null;
      member_data: string | null;
    }[];
    return rows.map((r) => {
      const figures = JSON.parse(r.member_data ?? r.snapshot) as {
        variancePct: number | null;
        actualSpend: number | null;
      };
      return {
        key: r.member ?? r.key,
        decision: {
          kind: r.status === 'approved' ? 'approved' : 'rejected',
          actor: r.decided_by,
          at: r.decided_at,
          proposedAction: r.proposed_action,
          escalationId: r.id,
          variancePct: figures.variancePct ?? null,
          actualSpend: figures.actualSpend ?? null,
        },
      };
    });
  }

  /**
   * Adds members to a batch that is still pending (a storm or trickle that grew), and gives it the reason that
   * describes it now; false when it was decided or closed meanwhile, so the caller asks a new question instead.
   * A campaign already a member is not added twice.
   */
  addMembers(escalationId: string, members: BatchMember[], reason?: string): boolean {
    return this.db.transaction(() => {
      const pending = this.db
        .prepare(`SELECT 1 FROM escalations WHERE id = ? AND status = 'pending' AND batch_kind IS NOT NULL`)
        .get(escalationId);
      if (!pending) return false;
      if (reason !== undefined)
        this.db.prepare('UPDATE escalations SET reason = ? WHERE id = ?').run(reason, escalationId);
      const next = this.db
        .prepare('SELECT COALESCE(MAX(seq), -1) + 1 AS seq FROM escalation_members WHERE escalation_id = ?')
        .get(escalationId) as { seq: number };
      const known = this.db.prepare('SELECT seq FROM escalation_members WHERE escalation_id = ? AND key = ?');
      const revive = this.db.prepare(
        'UPDATE escalation_members SET dropped = 0, data = ? WHERE escalation_id = ? AND seq = ?',
      );
      const insert = this.db.prepare(
        'INSERT INTO escalation_members (escalation_id, seq, key, data, dropped) VALUES (?, ?, ?, ?, 0)',
      );
      let seq = next.seq;
      for (const m of members) {
        const had = known.get(escalationId, m.key) as { seq: number } | undefined;
        if (had) revive.run(JSON.stringify(m), escalationId, had.seq);
        else insert.run(escalationId, seq++, m.key, JSON.stringify(m));
      }
      return true;
    })();
  }

  /** A later run found this member no longer needs the batch's proposal: approving the batch leaves it alone. */
  dropMember(escalationId: string, key: string): void {
    this.db
      .prepare('UPDATE escalation_members SET dropped = 1 WHERE escalation_id = ? AND key = ?')
      .run(escalationId, key);
  }

  private withMembers(e: Escalation): Escalation {
    if (!e.batch) return e;
    const rows = this.db
      .prepare('SELECT data, dropped FROM escalation_members WHERE escalation_id = ? ORDER BY seq')
      .all(e.id) as { data: string; dropped: number }[];
    e.batch.members = rows.map((r) => ({ ...(JSON.parse(r.data) as BatchMember), dropped: r.dropped === 1 }));
    return e;
  }

  get(id: string): Escalation | null {
    const r = this.db.prepare('SELECT * FROM escalations WHERE id = ?').get(id) as EscalationRecord | undefined;
    return r ? this.withMembers(toEscalation(r)) : null;
  }

  pending(): Escalation[] {
    return (
      this.db
        .prepare(`SELECT * FROM escalations WHERE status = 'pending' ORDER BY created_at, id`)
        .all() as EscalationRecord[]
    ).map((r) => this.withMembers(toEscalation(r)));
  }

  /** Pending escalations whose thread never announced them (a process stopped first): to be started. */
  unannounced(): Escalation[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM escalations e WHERE status = 'pending'
             AND NOT EXISTS (SELECT 1 FROM effects f WHERE f.key = 'announce:' || e.id) ORDER BY created_at, id`,
        )
        .all() as EscalationRecord[]
    ).map((r) => this.withMembers(toEscalation(r)));
  }

  /** Pending escalations whose time is up at `now`. */
  due(now: string): Escalation[] {
    return (
      this.db
        .prepare(`SELECT * FROM escalations WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at`)
        .all(now) as EscalationRecord[]
    ).map((r) => this.withMembers(toEscalation(r)));
  }

  /** Escalations decided since `since` (exclusive), for the digest. */
  decidedSince(since: string | null): Escalation[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM escalations WHERE status != 'pending' AND (? IS NULL OR decided_at > ?) ORDER BY decided_at`,
        )
        .all(since, since) as EscalationRecord[]
    ).map((r) => this.withMembers(toEscalation(r)));
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

  setNote(id: string, note: string): void {
    this.db.prepare('UPDATE escalations SET decision_note = ? WHERE id = ? AND decision_note IS NULL').run(note, id);
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
    return rows.filter((r) => !ownerAlive(r.claimed_by)).map((r) => this.withMembers(toEscalation(r)));
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
    ).map((r) => this.withMembers(toEscalation(r)));
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
