// Durable queue of outgoing messages: written in the same database as the decision they report.
import { redact } from '../redact.js';
import type { Db } from './db.js';

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

export class Outbox {
  constructor(private readonly db: Db) {}

  enqueue(item: NewOutboxItem, at: string): number {
    return Number(
      this.db
        .prepare(
          `INSERT OR IGNORE INTO outbox (created_at, kind, method, channel, payload, escalation_id, run_id, thread_of, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          at,
          item.kind,
          item.method,
          item.channel,
          JSON.stringify(slackSafe(item.payload)),
          item.escalationId ?? null,
          item.runId ?? null,
          item.threadOf ?? null,
          item.subject ? JSON.stringify(item.subject) : null,
        ).lastInsertRowid,
    );
  }

  /** Items ready to go at `nowMs` (real time), oldest first. */
  due(nowMs: number, limit = 50): OutboxItem[] {
    return (
      this.db
        .prepare(`SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?`)
        .all(nowMs, limit) as Row[]
    ).map(toItem);
  }

  /**
   * Per channel, the oldest pending new message that is not due at `nowMs`: waiting for its retry, or being
   * delivered by another process. Later messages to that channel wait behind it, so the channel keeps its order.
   */
  waitingByChannel(nowMs: number): Map<string, number> {
    const rows = this.db
      .prepare(
        `SELECT channel, MIN(id) AS id FROM outbox WHERE status = 'pending' AND next_attempt_at > ? AND method = 'chat.postMessage' GROUP BY channel`,
      )
      .all(nowMs) as { channel: string; id: number }[];
    return new Map(rows.map((r) => [r.channel, r.id]));
  }

  pendingCount(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`).get() as { n: number }).n;
  }

  /** Earliest time (ms) a pending item becomes due, or null when nothing waits. */
  nextDueAt(): number | null {
    const r = this.db.prepare(`SELECT MIN(next_attempt_at) AS t FROM outbox WHERE status = 'pending'`).get() as {
      t: number | null;
    };
    return r.t;
  }

  countForRun(runId: string, kind: string): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE run_id = ? AND kind = ?').get(runId, kind) as {
        n: number;
      }
    ).n;
  }

  get(id: number): OutboxItem | null {
    const r = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return r ? toItem(r) : null;
  }

  /** The posted (or still queued) message that announced an escalation. */
  announcement(escalationId: string): OutboxItem | null {
    const r = this.db
      .prepare(`SELECT * FROM outbox WHERE escalation_id = ? AND kind = 'escalation' ORDER BY id LIMIT 1`)
      .get(escalationId) as Row | undefined;
    return r ? toItem(r) : null;
  }

  /**
   * Takes an item for delivery for `leaseMs`: only one dispatcher (server or CLI) gets it. If the taker dies,
   * the item is due again when the lease runs out.
   */
  claim(id: number, nowMs: number, leaseMs: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE outbox SET next_attempt_at = ?, leased_until = ? WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?`,
        )
        .run(nowMs + leaseMs, nowMs + leaseMs, id, nowMs).changes === 1
    );
  }

  markSent(id: number, at: string, ts: string | null): void {
    this.db
      .prepare(
        `UPDATE outbox SET status = 'sent', sent_at = ?, ts = ?, attempts = attempts + 1, last_error = NULL, leased_until = NULL WHERE id = ?`,
      )
      .run(at, ts, id);
  }

  retryLater(id: number, atMs: number, error: string): void {
    this.db
      .prepare(
        `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, leased_until = NULL WHERE id = ?`,
      )
      .run(atMs, error, id);
  }

  /** Replaces what an item carries (a file's upload, once done, is remembered with it). */
  setPayload(id: number, payload: Record<string, unknown>): void {
    this.db.prepare('UPDATE outbox SET payload = ? WHERE id = ?').run(JSON.stringify(payload), id);
  }

  /** Puts an item off without counting a try: it was not sent (it waits for another message to go first). */
  defer(id: number, atMs: number, note: string): void {
    this.db
      .prepare(`UPDATE outbox SET next_attempt_at = ?, last_error = ?, leased_until = NULL WHERE id = ?`)
      .run(atMs, note, id);
  }

  markFailed(id: number, error: string): void {
    this.db
      .prepare(
        `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, leased_until = NULL WHERE id = ?`,
      )
      .run(error, id);
  }

  /** Drops a queued item that nobody is sending right now; false when it is being sent (its lease runs). */
  supersede(id: number, nowMs: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE outbox SET status = 'superseded' WHERE id = ? AND status = 'pending' AND (leased_until IS NULL OR leased_until <= ?)`,
        )
        .run(id, nowMs).changes === 1
    );
  }

  /**
   * The Slack message that tells people about a paged incident's subject: the question about it (an escalation's
   * announcement: the given escalation's, else the latest about the campaign) first, else the latest card about
   * the campaign. Queued or sent (its ts is null while queued); null when there is none.
   */
  messageAbout(subject: {
    escalationId: string | null;
    platform: string | null;
    platformCampaignId: string | null;
  }): { kind: string; channel: string; ts: string | null; status: OutboxItem['status'] } | null {
    type Found = { kind: string; channel: string; ts: string | null; status: OutboxItem['status'] };
    const live = `status IN ('pending', 'sent')`;
    if (subject.escalationId !== null) {
      const r = this.db
        .prepare(
          `SELECT kind, channel, ts, status FROM outbox WHERE kind = 'escalation' AND escalation_id = ? AND ${live} ORDER BY id DESC LIMIT 1`,
        )
        .get(subject.escalationId) as Found | undefined;
      if (r) return r;
    }
    if (subject.platform === null || subject.platformCampaignId === null) return null;
    const question = this.db
      .prepare(
        `SELECT o.kind, o.channel, o.ts, o.status FROM outbox o JOIN escalations e ON e.id = o.escalation_id
         WHERE o.kind = 'escalation' AND e.platform = ? AND e.platform_campaign_id = ? AND o.${live}
         ORDER BY o.id DESC LIMIT 1`,
      )
      .get(subject.platform, subject.platformCampaignId) as Found | undefined;
    if (question) return question;
    return (
      (this.db
        .prepare(
          `SELECT kind, channel, ts, status FROM outbox WHERE kind IN ('alert', 'halt_alert') AND ${live}
             AND json_extract(subject, '$.platform') = ? AND json_extract(subject, '$.platformCampaignId') = ?
           ORDER BY id DESC LIMIT 1`,
        )
        .get(subject.platform, subject.platformCampaignId) as Found | undefined) ?? null
    );
  }

  /** Drops an item this dispatcher holds without sending it: what it would say is no longer true. */
  drop(id: number, note: string): void {
    this.db
      .prepare(`UPDATE outbox SET status = 'superseded', last_error = ?, leased_until = NULL WHERE id = ?`)
      .run(note, id);
  }

  /** The latest halt alert Slack accepted about a platform campaign: a resume edits it to say so. */
  lastHaltAlert(platform: string, platformCampaignId: string): OutboxItem | null {
    const r = this.db
      .prepare(
        `SELECT * FROM outbox WHERE kind = 'halt_alert' AND status = 'sent' AND ts IS NOT NULL
           AND json_extract(subject, '$.platform') = ? AND json_extract(subject, '$.platformCampaignId') = ?
         ORDER BY id DESC LIMIT 1`,
      )
      .get(platform, platformCampaignId) as Row | undefined;
    return r ? toItem(r) : null;
  }

  /**
   * Forgets messages created before `before` that are done with (sent, dropped, or refused for good), so the
   * queue does not grow for ever (and a retry of refused messages never sends months-old ones). Kept whatever
   * their age: the latest halt alert about each campaign (a resume edits it), the announcement of a question
   * still open (its outcome edits it), and a message a queued one is to be threaded under. Returns how many went.
   */
  prune(before: string): number {
    return this.db
      .prepare(
        `DELETE FROM outbox WHERE status IN ('sent', 'superseded', 'failed') AND created_at < ?
           AND id NOT IN (
             SELECT MAX(id) FROM outbox WHERE kind = 'halt_alert' AND status = 'sent' AND ts IS NOT NULL
             GROUP BY json_extract(subject, '$.platform'), json_extract(subject, '$.platformCampaignId'))
           AND NOT (kind = 'escalation' AND escalation_id IN (SELECT id FROM escalations WHERE status = 'pending'))
           AND id NOT IN (SELECT thread_of FROM outbox WHERE status = 'pending' AND thread_of IS NOT NULL)`,
      )
      .run(before).changes;
  }

  /** Puts failed items back in the queue (after the operator fixed a channel or a scope). */
  retryFailed(): number {
    return this.db.prepare(`UPDATE outbox SET status = 'pending', next_attempt_at = 0 WHERE status = 'failed'`).run()
      .changes;
  }
}
