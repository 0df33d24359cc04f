// Escalations awaiting a human, and the atomic claim that makes each decision happen once.
import type { HumanDecision, OpenQuestion } from '../domain/policy.js';
import type { BatchKind, BatchMember, Decision, Escalation, EscalationStatus, PoolFigures } from '../domain/records.js';
import type { Platform, ProposedAction } from '../domain/types.js';
import { type Liveness, localLiveness } from './liveness.js';
import { PROCESS_ID } from './owner.js';
import { insertionOrder, type Sql, type SqlValue } from './sql.js';

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

const ESCALATION_COLUMNS =
  'id, run_id, key, campaign_id, platform, platform_campaign_id, proposed_action, reason, status, created_at, expires_at, thread_id, snapshot, batch_kind, batch_figures';
const MEMBER_COLUMNS = ['escalation_id', 'seq', 'key', 'data', 'dropped'];

export class EscalationStore {
  constructor(
    private readonly sql: Sql,
    /** Whether a claim's owner still runs: its pid on one machine, its session across replicas. */
    private readonly liveness: Liveness = localLiveness,
  ) {}

  /**
   * Opens an escalation (with its members, for a batch), or returns the one already pending for the same key. One
   * insert decides, on any number of processes (the key's pending question is unique); the loser reads the winner's.
   */
  open(e: NewEscalation): Promise<{ created: boolean; escalation: Escalation }> {
    return this.sql.transaction(async (tx) => {
      for (;;) {
        const added = await tx.get<EscalationRecord>(
          `INSERT INTO escalations (${ESCALATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)
           ON CONFLICT (key) WHERE status = 'pending' DO NOTHING RETURNING *`,
          escalationValues(e),
        );
        if (added) return { created: true, escalation: await withNewMembers(tx, e, toEscalation(added)) };
        // Decided between the insert and this read: the key has no open question any more, ask again.
        const existing = await pendingFor(tx, e.key);
        if (existing) return { created: false, escalation: existing };
      }
    });
  }

  pendingFor(key: string): Promise<Escalation | null> {
    return pendingFor(this.sql, key);
  }

  /** Open questions by campaign key: a pending escalation's own key, and each standing member of a pending batch. */
  async openQuestions(): Promise<Map<string, OpenQuestion>> {
    const out = new Map<string, OpenQuestion>();
    const rows = await this.sql.all<{
      id: string;
      key: string;
      proposed_action: OpenQuestion['proposedAction'];
      created_at: string;
      batch_kind: string | null;
      member: string | null;
    }>(
      `SELECT e.id, e.key, e.proposed_action, e.created_at, e.batch_kind, m.key AS member
       FROM escalations e LEFT JOIN escalation_members m ON m.escalation_id = e.id AND m.dropped = 0
       WHERE e.status = 'pending' ORDER BY e.created_at, e.id`,
    );
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
  async decisionsSince(since: string): Promise<{ key: string; decision: HumanDecision }[]> {
    const rows = await this.sql.all<{
      id: string;
      key: string;
      status: 'approved' | 'overridden';
      proposed_action: OpenQuestion['proposedAction'];
      decided_by: string;
      decided_at: string;
      snapshot: string;
      member: string | null;
      member_data: string | null;
    }>(
      `SELECT e.id, e.key, e.status, e.proposed_action, e.decided_by, e.decided_at, e.snapshot, m.key AS member, m.data AS member_data
       FROM escalations e LEFT JOIN escalation_members m ON m.escalation_id = e.id
       WHERE e.status IN ('approved', 'overridden') AND e.decided_at > ? ORDER BY e.decided_at, ${insertionOrder(this.sql, 'e')}`,
      [since],
    );
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
  addMembers(escalationId: string, members: BatchMember[], reason?: string): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const pending = await tx.get(
        `SELECT 1 AS pending FROM escalations WHERE id = ? AND status = 'pending' AND batch_kind IS NOT NULL`,
        [escalationId],
      );
      if (!pending) return false;
      if (reason !== undefined) await tx.run('UPDATE escalations SET reason = ? WHERE id = ?', [reason, escalationId]);
      const next = await tx.get<{ seq: number }>(
        'SELECT COALESCE(MAX(seq), -1) + 1 AS seq FROM escalation_members WHERE escalation_id = ?',
        [escalationId],
      );
      let seq = Number(next?.seq ?? 0);
      for (const m of members) {
        const had = await tx.get<{ seq: number }>(
          'SELECT seq FROM escalation_members WHERE escalation_id = ? AND key = ?',
          [escalationId, m.key],
        );
        if (had)
          await tx.run('UPDATE escalation_members SET dropped = 0, data = ? WHERE escalation_id = ? AND seq = ?', [
            JSON.stringify(m),
            escalationId,
            had.seq,
          ]);
        else
          await tx.run(
            'INSERT INTO escalation_members (escalation_id, seq, key, data, dropped) VALUES (?, ?, ?, ?, 0)',
            [escalationId, seq++, m.key, JSON.stringify(m)],
          );
      }
      return true;
    });
  }

  /** A later run found this member no longer needs the batch's proposal: approving the batch leaves it alone. */
  async dropMember(escalationId: string, key: string): Promise<void> {
    await this.sql.run('UPDATE escalation_members SET dropped = 1 WHERE escalation_id = ? AND key = ?', [
      escalationId,
      key,
    ]);
  }

  get(id: string): Promise<Escalation | null> {
    return escalationOf(this.sql, id);
  }

  pending(): Promise<Escalation[]> {
    return this.many(`SELECT * FROM escalations WHERE status = 'pending' ORDER BY created_at, id`);
  }

  /** Pending escalations whose thread never announced them (a process stopped first): to be started. */
  unannounced(): Promise<Escalation[]> {
    return this.many(
      `SELECT * FROM escalations e WHERE status = 'pending'
         AND NOT EXISTS (SELECT 1 FROM effects f WHERE f.key = 'announce:' || e.id) ORDER BY created_at, id`,
    );
  }

  /** Pending escalations whose time is up at `now`. */
  due(now: string): Promise<Escalation[]> {
    return this.many(`SELECT * FROM escalations WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at`, [
      now,
    ]);
  }

  /** Escalations decided since `since` (exclusive), for the digest. */
  decidedSince(since: string | null): Promise<Escalation[]> {
    return this.many(
      `SELECT * FROM escalations WHERE status != 'pending' ${since === null ? '' : 'AND decided_at > ?'} ORDER BY decided_at`,
      since === null ? [] : [since],
    );
  }

  /**
   * Takes the decision if, and only if, the escalation is still pending (and, unless it is an expiry, not yet
   * past its time). One UPDATE decides the race, on any number of processes: the loser changes nothing and
   * learns the current state.
   */
  async claim(id: string, decision: Decision, actor: string, at: string, note: string | null): Promise<ClaimResult> {
    const claimed = await this.sql.get<EscalationRecord>(
      `UPDATE escalations SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?, claimed_by = ?
       WHERE id = ? AND status = 'pending' ${decision === 'expired' ? '' : 'AND expires_at > ?'} RETURNING *`,
      decision === 'expired'
        ? [decision, actor, at, note, PROCESS_ID, id]
        : [decision, actor, at, note, PROCESS_ID, id, at],
    );
    if (claimed) return { claimed: true, escalation: await this.withMembers(toEscalation(claimed)) };
    return { claimed: false, escalation: await this.get(id) };
  }

  async setNote(id: string, note: string): Promise<void> {
    await this.sql.run('UPDATE escalations SET decision_note = ? WHERE id = ? AND decision_note IS NULL', [note, id]);
  }

  async settle(id: string, outcome: 'done' | 'failed', detail: string): Promise<void> {
    await this.sql.run('UPDATE escalations SET outcome = ?, outcome_detail = ? WHERE id = ?', [outcome, detail, id]);
  }

  /**
   * Decided but not carried out, by a process that is gone (it stopped between the claim and the end of the
   * resume). A decision another live process is still carrying out is left to it, so nothing happens twice.
   */
  async unsettled(): Promise<Escalation[]> {
    const rows = await this.sql.all<EscalationRecord & { claimed_by: string | null }>(
      `SELECT * FROM escalations WHERE status != 'pending' AND outcome IS NULL ORDER BY decided_at`,
    );
    const gone: Escalation[] = [];
    for (const r of rows)
      if (!(await this.liveness.alive(r.claimed_by))) gone.push(await this.withMembers(toEscalation(r)));
    return gone;
  }

  /** Takes over a decision whose claiming process is gone, so that only this one carries it out. */
  async adopt(id: string): Promise<boolean> {
    const r = await this.sql.get<{ claimed_by: string | null }>(
      'SELECT claimed_by FROM escalations WHERE id = ? AND outcome IS NULL',
      [id],
    );
    if (!r || (await this.liveness.alive(r.claimed_by))) return false;
    const changed = await this.sql.run(
      'UPDATE escalations SET claimed_by = ? WHERE id = ? AND outcome IS NULL AND claimed_by IS NOT DISTINCT FROM ?',
      [PROCESS_ID, id, r.claimed_by],
    );
    return changed.changes === 1;
  }

  /** Settled escalations decided before `before` whose threads still hold checkpoints. */
  prunable(before: string): Promise<Escalation[]> {
    return this.many(`SELECT * FROM escalations WHERE outcome IS NOT NULL AND thread_pruned = 0 AND decided_at < ?`, [
      before,
    ]);
  }

  /** Where the escalation's Slack message is, so that its outcome can replace it in place. */
  async setMessage(id: string, channel: string, ts: string): Promise<void> {
    await this.sql.run('UPDATE escalations SET message_channel = ?, message_ts = ? WHERE id = ?', [channel, ts, id]);
  }

  async message(id: string): Promise<{ channel: string; ts: string } | null> {
    const r = await this.sql.get<{ channel: string | null; ts: string | null }>(
      'SELECT message_channel AS channel, message_ts AS ts FROM escalations WHERE id = ?',
      [id],
    );
    return r?.channel && r.ts ? { channel: r.channel, ts: r.ts } : null;
  }

  async markPruned(id: string): Promise<void> {
    await this.sql.run('UPDATE escalations SET thread_pruned = 1 WHERE id = ?', [id]);
  }

  private withMembers(e: Escalation): Promise<Escalation> {
    return withMembers(this.sql, e);
  }

  private async many(query: string, params: SqlValue[] = []): Promise<Escalation[]> {
    const rows = await this.sql.all<EscalationRecord>(query, params);
    const out: Escalation[] = [];
    for (const r of rows) out.push(await this.withMembers(toEscalation(r)));
    return out;
  }
}

async function withMembers(sql: Sql, e: Escalation): Promise<Escalation> {
  if (!e.batch) return e;
  const rows = await sql.all<{ data: string; dropped: number }>(
    'SELECT data, dropped FROM escalation_members WHERE escalation_id = ? ORDER BY seq',
    [e.id],
  );
  e.batch.members = rows.map((r) => ({ ...(JSON.parse(r.data) as BatchMember), dropped: Number(r.dropped) === 1 }));
  return e;
}

async function escalationOf(sql: Sql, id: string): Promise<Escalation | null> {
  const r = await sql.get<EscalationRecord>('SELECT * FROM escalations WHERE id = ?', [id]);
  return r ? withMembers(sql, toEscalation(r)) : null;
}

async function pendingFor(sql: Sql, key: string): Promise<Escalation | null> {
  const r = await sql.get<EscalationRecord>(`SELECT * FROM escalations WHERE key = ? AND status = 'pending'`, [key]);
  return r ? withMembers(sql, toEscalation(r)) : null;
}

/** A new escalation's values, in ESCALATION_COLUMNS order less its status. */
const escalationValues = (e: NewEscalation): SqlValue[] => [
  e.id,
  e.runId,
  e.key,
  e.campaignId,
  e.platform,
  e.platformCampaignId,
  e.proposedAction,
  e.reason,
  e.createdAt,
  e.expiresAt,
  e.threadId,
  JSON.stringify(e.snapshot),
  e.batch?.kind ?? null,
  e.batch?.pool ? JSON.stringify(e.batch.pool) : null,
];

/** Writes a new batch's members, and gives them to the escalation as `withMembers` would read them back. */
async function withNewMembers(sql: Sql, e: NewEscalation, escalation: Escalation): Promise<Escalation> {
  if (!e.batch || !escalation.batch) return escalation;
  const data = e.batch.members.map((m) => JSON.stringify(m));
  await sql.insertMany(
    'escalation_members',
    MEMBER_COLUMNS,
    e.batch.members.map((m, seq) => [e.id, seq, m.key, data[seq] as string, 0]),
  );
  escalation.batch.members = data.map((d) => ({ ...(JSON.parse(d) as BatchMember), dropped: false }));
  return escalation;
}
