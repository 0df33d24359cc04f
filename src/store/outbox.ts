// Durable queue of outgoing messages: written in the same database as the decision they report.
import { redact } from '../redact.js';
import { claimQuery, jsonText, type Sql } from './sql.js';

/** `files.uploadV2` stands for Slack's external upload flow (get an upload URL, send the bytes, complete it). */
export type OutboxMethod = 'chat.postMessage' | 'chat.update' | 'files.uploadV2';

/** What a message is about, so its delivery can be audited against the campaign (an alert that reached Slack). */
export interface OutboxSubject {
  campaignId: string | null;
  platform: string | null;
  platformCampaignId: string | null;
  details: Record<string, unknown>;
}

export interface OutboxItem {
  id: number;
  createdAt: string;
  kind: string;
  method: OutboxMethod;
  channel: string;
  payload: Record<string, unknown>;
  escalationId: string | null;
  runId: string | null;
  status: 'pending' | 'sent' | 'failed' | 'superseded';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  ts: string | null;
  /** Posted in the thread of this outbox item (its parent), once the parent has its ts. */
  threadOf: number | null;
  subject: OutboxSubject | null;
}

export interface NewOutboxItem {
  kind: string;
  method: OutboxMethod;
  channel: string;
  payload: Record<string, unknown>;
  escalationId?: string | null;
  runId?: string | null;
  threadOf?: number | null;
  subject?: OutboxSubject | null;
}

interface Row {
  id: number;
  created_at: string;
  kind: string;
  method: OutboxMethod;
  channel: string;
  payload: string;
  escalation_id: string | null;
  run_id: string | null;
  status: OutboxItem['status'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  ts: string | null;
  thread_of: number | null;
  subject: string | null;
}

const toItem = (r: Row): OutboxItem => ({
  id: r.id,
  createdAt: r.created_at,
  kind: r.kind,
  method: r.method,
  channel: r.channel,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  escalationId: r.escalation_id,
  runId: r.run_id,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  ts: r.ts,
  threadOf: r.thread_of,
  subject: r.subject === null ? null : (JSON.parse(r.subject) as OutboxSubject),
});

/**
 * What goes to Slack (and into this table) redacted, like every other text we write down: a reason or an error
 * may echo what a platform sent back. A file's bytes (base64) are kept as they are: they are not text.
 */
function slackSafe(payload: Record<string, unknown>): Record<string, unknown> {
  const { file, ...rest } = payload;
  return file === undefined ? redact(rest) : { ...redact(rest), file };
}

const OUTBOX_INSERT = `INSERT INTO outbox (created_at, kind, method, channel, payload, escalation_id, run_id, thread_of, subject)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`;

export class Outbox {
  constructor(private readonly sql: Sql) {}

  /**
   * Queues a message and returns its id. An escalation is announced once: queuing its announcement again
   * returns the one already queued.
   */
  async enqueue(item: NewOutboxItem, at: string): Promise<number> {
    const added = await this.sql.get<{ id: number }>(OUTBOX_INSERT, [
      at,
      item.kind,
      item.method,
      item.channel,
      JSON.stringify(slackSafe(item.payload)),
      item.escalationId ?? null,
      item.runId ?? null,
      item.threadOf ?? null,
      item.subject ? JSON.stringify(item.subject) : null,
    ]);
    if (added) return Number(added.id);
    const queued = await this.sql.get<{ id: number }>(
      `SELECT id FROM outbox WHERE kind = 'escalation' AND escalation_id = ?`,
      [item.escalationId ?? null],
    );
    return Number(queued?.id ?? 0);
  }

  /** Items ready to go at `nowMs` (real time), oldest first. */
  async due(nowMs: number, limit = 50): Promise<OutboxItem[]> {
    const rows = await this.sql.all<Row>(
      `SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?`,
      [nowMs, limit],
    );
    return rows.map(toItem);
  }

  /**
   * Per channel, the oldest pending new message that is not due at `nowMs`: waiting for its retry, or being
   * delivered by another process. Later messages to that channel wait behind it, so the channel keeps its order.
   */
  async waitingByChannel(nowMs: number): Promise<Map<string, number>> {
    const rows = await this.sql.all<{ channel: string; id: number }>(
      `SELECT channel, MIN(id) AS id FROM outbox WHERE status = 'pending' AND next_attempt_at > ? AND method = 'chat.postMessage' GROUP BY channel`,
      [nowMs],
    );
    return new Map(rows.map((r) => [r.channel, Number(r.id)]));
  }

  async pendingCount(): Promise<number> {
    const r = await this.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`);
    return Number(r?.n ?? 0);
  }

  /** Earliest time (ms) a pending item becomes due, or null when nothing waits. */
  async nextDueAt(): Promise<number | null> {
    const r = await this.sql.get<{ t: number | null }>(
      `SELECT MIN(next_attempt_at) AS t FROM outbox WHERE status = 'pending'`,
    );
    return r?.t == null ? null : Number(r.t);
  }

  async countForRun(runId: string, kind: string): Promise<number> {
    const r = await this.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE run_id = ? AND kind = ?', [
      runId,
      kind,
    ]);
    return Number(r?.n ?? 0);
  }

  async get(id: number): Promise<OutboxItem | null> {
    const r = await this.sql.get<Row>('SELECT * FROM outbox WHERE id = ?', [id]);
    return r ? toItem(r) : null;
  }

  /** The posted (or still queued) message that announced an escalation. */
  async announcement(escalationId: string): Promise<OutboxItem | null> {
    const r = await this.sql.get<Row>(
      `SELECT * FROM outbox WHERE escalation_id = ? AND kind = 'escalation' ORDER BY id LIMIT 1`,
      [escalationId],
    );
    return r ? toItem(r) : null;
  }

  /**
   * Takes an item for delivery for `leaseMs`: only one dispatcher (server or CLI, on any replica) gets it. If
   * the taker dies, the item is due again when the lease runs out.
   */
  async claim(id: number, nowMs: number, leaseMs: number): Promise<boolean> {
    const r = await this.sql.run(claimQuery(this.sql, 'outbox'), [nowMs + leaseMs, nowMs + leaseMs, id, nowMs]);
    return r.changes === 1;
  }

  async markSent(id: number, at: string, ts: string | null): Promise<void> {
    await this.sql.run(
      `UPDATE outbox SET status = 'sent', sent_at = ?, ts = ?, attempts = attempts + 1, last_error = NULL, leased_until = NULL WHERE id = ?`,
      [at, ts, id],
    );
  }

  async retryLater(id: number, atMs: number, error: string): Promise<void> {
    await this.sql.run(
      `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, leased_until = NULL WHERE id = ?`,
      [atMs, error, id],
    );
  }

  /** Replaces what an item carries (a file's upload, once done, is remembered with it). */
  async setPayload(id: number, payload: Record<string, unknown>): Promise<void> {
    await this.sql.run('UPDATE outbox SET payload = ? WHERE id = ?', [JSON.stringify(payload), id]);
  }

  /** Puts an item off without counting a try: it was not sent (it waits for another message to go first). */
  async defer(id: number, atMs: number, note: string): Promise<void> {
    await this.sql.run(`UPDATE outbox SET next_attempt_at = ?, last_error = ?, leased_until = NULL WHERE id = ?`, [
      atMs,
      note,
      id,
    ]);
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.sql.run(
      `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, leased_until = NULL WHERE id = ?`,
      [error, id],
    );
  }

  /** Drops a queued item that nobody is sending right now; false when it is being sent (its lease runs). */
  async supersede(id: number, nowMs: number): Promise<boolean> {
    const r = await this.sql.run(
      `UPDATE outbox SET status = 'superseded' WHERE id = ? AND status = 'pending' AND (leased_until IS NULL OR leased_until <= ?)`,
      [id, nowMs],
    );
    return r.changes === 1;
  }

  /**
   * The Slack message that tells people about a paged incident's subject: the question about it (an escalation's
   * announcement: the given escalation's, else the latest about the campaign) first, else the latest card about
   * the campaign. Queued or sent (its ts is null while queued); null when there is none.
   */
  async messageAbout(subject: {
    escalationId: string | null;
    platform: string | null;
    platformCampaignId: string | null;
  }): Promise<{ kind: string; channel: string; ts: string | null; status: OutboxItem['status'] } | null> {
    type Found = { kind: string; channel: string; ts: string | null; status: OutboxItem['status'] };
    const live = `status IN ('pending', 'sent')`;
    if (subject.escalationId !== null) {
      const r = await this.sql.get<Found>(
        `SELECT kind, channel, ts, status FROM outbox WHERE kind = 'escalation' AND escalation_id = ? AND ${live} ORDER BY id DESC LIMIT 1`,
        [subject.escalationId],
      );
      if (r) return r;
    }
    if (subject.platform === null || subject.platformCampaignId === null) return null;
    const question = await this.sql.get<Found>(
      `SELECT o.kind, o.channel, o.ts, o.status FROM outbox o JOIN escalations e ON e.id = o.escalation_id
       WHERE o.kind = 'escalation' AND e.platform = ? AND e.platform_campaign_id = ? AND o.${live}
       ORDER BY o.id DESC LIMIT 1`,
      [subject.platform, subject.platformCampaignId],
    );
    if (question) return question;
    const { platform, campaign } = subjectFields(this.sql);
    return (
      (await this.sql.get<Found>(
        `SELECT kind, channel, ts, status FROM outbox WHERE kind IN ('alert', 'halt_alert') AND ${live}
           AND ${platform} = ? AND ${campaign} = ?
         ORDER BY id DESC LIMIT 1`,
        [subject.platform, subject.platformCampaignId],
      )) ?? null
    );
  }

  /** Drops an item this dispatcher holds without sending it: what it would say is no longer true. */
  async drop(id: number, note: string): Promise<void> {
    await this.sql.run(`UPDATE outbox SET status = 'superseded', last_error = ?, leased_until = NULL WHERE id = ?`, [
      note,
      id,
    ]);
  }

  /** The latest halt alert Slack accepted about a platform campaign: a resume edits it to say so. */
  async lastHaltAlert(platform: string, platformCampaignId: string): Promise<OutboxItem | null> {
    const f = subjectFields(this.sql);
    const r = await this.sql.get<Row>(
      `SELECT * FROM outbox WHERE kind = 'halt_alert' AND status = 'sent' AND ts IS NOT NULL
         AND ${f.platform} = ? AND ${f.campaign} = ?
       ORDER BY id DESC LIMIT 1`,
      [platform, platformCampaignId],
    );
    return r ? toItem(r) : null;
  }

  /**
   * Forgets messages created before `before` that are done with (sent, dropped, or refused for good), so the
   * queue does not grow for ever (and a retry of refused messages never sends months-old ones). Kept whatever
   * their age: the latest halt alert about each campaign (a resume edits it), the announcement of a question
   * still open (its outcome edits it), and a message a queued one is to be threaded under. Returns how many went.
   */
  async prune(before: string): Promise<number> {
    const f = subjectFields(this.sql);
    const r = await this.sql.run(
      `DELETE FROM outbox WHERE status IN ('sent', 'superseded', 'failed') AND created_at < ?
         AND id NOT IN (
           SELECT MAX(id) FROM outbox WHERE kind = 'halt_alert' AND status = 'sent' AND ts IS NOT NULL
           GROUP BY ${f.platform}, ${f.campaign})
         AND NOT (kind = 'escalation' AND escalation_id IN (SELECT id FROM escalations WHERE status = 'pending'))
         AND id NOT IN (SELECT thread_of FROM outbox WHERE status = 'pending' AND thread_of IS NOT NULL)`,
      [before],
    );
    return r.changes;
  }

  /** Puts failed items back in the queue (after the operator fixed a channel or a scope). */
  async retryFailed(): Promise<number> {
    const r = await this.sql.run(`UPDATE outbox SET status = 'pending', next_attempt_at = 0 WHERE status = 'failed'`);
    return r.changes;
  }
}

/** The subject's platform and platform campaign id, read out of its JSON text on each engine. */
function subjectFields(sql: Sql): { platform: string; campaign: string } {
  return {
    platform: jsonText(sql, 'subject', ['platform']),
    campaign: jsonText(sql, 'subject', ['platformCampaignId']),
  };
}
