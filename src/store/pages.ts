// Paging's memory: which incidents are open (by PagerDuty dedup key), and the durable queue of events for PagerDuty.
import { redact, redactText } from '../redact.js';
import type { Db } from './db.js';

export type PageAction = 'trigger' | 'acknowledge' | 'resolve';

export interface Incident {
  dedupKey: string;
  kind: string;
  status: 'open' | 'resolved';
  /** What opened it (a failed pause's intent key), or null when the condition is its own identity. */
  occurrence: string | null;
  /** The audit trail's last id when it opened. */
  watermark: number;
  summary: string;
  details: Record<string, unknown>;
  openedAt: string;
  resolvedAt: string | null;
  resolution: string | null;
}

export interface PageEvent {
  id: number;
  createdAt: string;
  dedupKey: string;
  action: PageAction;
  /** The event as PagerDuty gets it, less `routing_key`, `event_action` and `dedup_key` (added when it is sent). */
  body: Record<string, unknown>;
  status: 'pending' | 'sent' | 'failed' | 'superseded';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  sentAt: string | null;
}

interface IncidentRow {
  dedup_key: string;
  kind: string;
  status: Incident['status'];
  occurrence: string | null;
  watermark: number;
  summary: string;
  details: string;
  opened_at: string;
  resolved_at: string | null;
  resolution: string | null;
}

interface EventRow {
  id: number;
  created_at: string;
  dedup_key: string;
  action: PageAction;
  body: string;
  status: PageEvent['status'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  sent_at: string | null;
}

const toIncident = (r: IncidentRow): Incident => ({
  dedupKey: r.dedup_key,
  kind: r.kind,
  status: r.status,
  occurrence: r.occurrence,
  watermark: r.watermark,
  summary: r.summary,
  details: JSON.parse(r.details) as Record<string, unknown>,
  openedAt: r.opened_at,
  resolvedAt: r.resolved_at,
  resolution: r.resolution,
});

const toEvent = (r: EventRow): PageEvent => ({
  id: r.id,
  createdAt: r.created_at,
  dedupKey: r.dedup_key,
  action: r.action,
  body: JSON.parse(r.body) as Record<string, unknown>,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  sentAt: r.sent_at,
});

export class Pages {
  constructor(private readonly db: Db) {}

  /** Every incident paging remembers, open or resolved, by dedup key. */
  incidents(): Map<string, Incident> {
    const rows = this.db.prepare('SELECT * FROM page_incidents').all() as IncidentRow[];
    return new Map(rows.map((r) => [r.dedup_key, toIncident(r)]));
  }

  incident(dedupKey: string): Incident | null {
    const r = this.db.prepare('SELECT * FROM page_incidents WHERE dedup_key = ?').get(dedupKey) as
      | IncidentRow
      | undefined;
    return r ? toIncident(r) : null;
  }

  /** Opens the incident under its dedup key (a resolved one opens again, as PagerDuty opens a new incident). */
  open(i: Pick<Incident, 'dedupKey' | 'kind' | 'occurrence' | 'watermark' | 'summary' | 'details'>, at: string): void {
    this.db
      .prepare(
        `INSERT INTO page_incidents (dedup_key, kind, status, occurrence, watermark, summary, details, opened_at)
         VALUES (?, ?, 'open', ?, ?, ?, ?, ?)
         ON CONFLICT (dedup_key) DO UPDATE SET kind = excluded.kind, status = 'open', occurrence = excluded.occurrence,
           watermark = excluded.watermark, summary = excluded.summary, details = excluded.details,
           opened_at = excluded.opened_at, resolved_at = NULL, resolution = NULL`,
      )
      .run(i.dedupKey, i.kind, i.occurrence, i.watermark, redactText(i.summary), JSON.stringify(redact(i.details)), at);
  }

  resolve(dedupKey: string, at: string, resolution: string, occurrence: string | null): void {
    this.db
      .prepare(
        `UPDATE page_incidents SET status = 'resolved', resolved_at = ?, resolution = ?, occurrence = COALESCE(?, occurrence)
         WHERE dedup_key = ? AND status = 'open'`,
      )
      .run(at, redactText(resolution), occurrence, dedupKey);
  }

  /** Queues an event; its body is stored redacted, and never holds the routing key. */
  enqueue(e: { dedupKey: string; action: PageAction; body: Record<string, unknown> }, at: string): number {
    return Number(
      this.db
        .prepare('INSERT INTO page_events (created_at, dedup_key, action, body) VALUES (?, ?, ?, ?)')
        .run(at, e.dedupKey, e.action, JSON.stringify(redact(e.body))).lastInsertRowid,
    );
  }

  /**
   * Forgets events PagerDuty accepted (or that were withdrawn) before `before`. Kept whatever their age: each
   * incident's latest event (withdrawing a trigger reads it) and its latest one not withdrawn (retrying a refused
   * event reads it: were a sent resolve after it forgotten, an old refused trigger would look current). Returns
   * how many went. Incidents themselves stay.
   */
  prune(before: string): number {
    return this.db
      .prepare(
        `DELETE FROM page_events WHERE status IN ('sent', 'superseded') AND created_at < ?
           AND id NOT IN (SELECT MAX(id) FROM page_events GROUP BY dedup_key)
           AND id NOT IN (SELECT MAX(id) FROM page_events WHERE status != 'superseded' GROUP BY dedup_key)`,
      )
      .run(before).changes;
  }

  /**
   * Drops the key's trigger when it is the key's latest event, still queued and not being sent: PagerDuty never
   * heard of the incident, so its resolve need not go either. False when the trigger went out (or is going).
   */
  withdrawTrigger(dedupKey: string, nowMs: number): boolean {
    const latest = this.db
      .prepare('SELECT id, action, status, leased_until FROM page_events WHERE dedup_key = ? ORDER BY id DESC LIMIT 1')
      .get(dedupKey) as { id: number; action: PageAction; status: string; leased_until: number | null } | undefined;
    if (latest?.action !== 'trigger' || latest.status !== 'pending') return false;
    return (
      this.db
        .prepare(
          `UPDATE page_events SET status = 'superseded' WHERE id = ? AND status = 'pending' AND (leased_until IS NULL OR leased_until <= ?)`,
        )
        .run(latest.id, nowMs).changes === 1
    );
  }

  /**
   * Events ready to go at `nowMs`, oldest first; an event waits while an earlier one about the same incident is
   * still queued (a resolve never overtakes its trigger).
   */
  due(nowMs: number, limit = 50): PageEvent[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM page_events e WHERE status = 'pending' AND next_attempt_at <= ?
             AND NOT EXISTS (SELECT 1 FROM page_events p WHERE p.dedup_key = e.dedup_key AND p.status = 'pending' AND p.id < e.id)
           ORDER BY id LIMIT ?`,
        )
        .all(nowMs, limit) as EventRow[]
    ).map(toEvent);
  }

  /** Takes an event for `leaseMs`: only one process sends it; if that one dies, the event is due again. */
  claim(id: number, nowMs: number, leaseMs: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE page_events SET next_attempt_at = ?, leased_until = ? WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?`,
        )
        .run(nowMs + leaseMs, nowMs + leaseMs, id, nowMs).changes === 1
    );
  }

  markSent(id: number, at: string): void {
    this.db
      .prepare(
        `UPDATE page_events SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL, leased_until = NULL WHERE id = ?`,
      )
      .run(at, id);
  }

  retryLater(id: number, atMs: number, error: string): void {
    this.db
      .prepare(
        'UPDATE page_events SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, leased_until = NULL WHERE id = ?',
      )
      .run(atMs, redactText(error), id);
  }

  markFailed(id: number, error: string): void {
    this.db
      .prepare(
        `UPDATE page_events SET status = 'failed', attempts = attempts + 1, last_error = ?, leased_until = NULL WHERE id = ?`,
      )
      .run(redactText(error), id);
  }

  /**
   * Queues again each incident's latest event that PagerDuty refused (after the operator fixed the routing key or
   * the URL and restarted). An older refused event stays failed: a later one has said more since.
   */
  retryFailed(): number {
    return this.db
      .prepare(
        `UPDATE page_events SET status = 'pending', next_attempt_at = 0 WHERE status = 'failed'
           AND id = (SELECT MAX(id) FROM page_events p WHERE p.dedup_key = page_events.dedup_key AND p.status != 'superseded')`,
      )
      .run().changes;
  }

  get(id: number): PageEvent | null {
    const r = this.db.prepare('SELECT * FROM page_events WHERE id = ?').get(id) as EventRow | undefined;
    return r ? toEvent(r) : null;
  }

  /** All events, oldest first (for tests and operators). */
  events(): PageEvent[] {
    return (this.db.prepare('SELECT * FROM page_events ORDER BY id').all() as EventRow[]).map(toEvent);
  }

  pendingCount(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM page_events WHERE status = 'pending'`).get() as { n: number }).n;
  }

  /** Earliest time (ms) a queued event becomes due, or null when nothing waits. */
  nextDueAt(): number | null {
    return (
      this.db.prepare(`SELECT MIN(next_attempt_at) AS t FROM page_events WHERE status = 'pending'`).get() as {
        t: number | null;
      }
    ).t;
  }
}
