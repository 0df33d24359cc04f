// Paging's memory: which incidents are open (by PagerDuty dedup key), and the durable queue of events for PagerDuty.
import { redact, redactText } from '../redact.js';
import { claimQuery, type Sql } from './sql.js';

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
  constructor(private readonly sql: Sql) {}

  /** Every incident paging remembers, open or resolved, by dedup key. */
  async incidents(): Promise<Map<string, Incident>> {
    const rows = await this.sql.all<IncidentRow>('SELECT * FROM page_incidents');
    return new Map(rows.map((r) => [r.dedup_key, toIncident(r)]));
  }

  async incident(dedupKey: string): Promise<Incident | null> {
    const r = await this.sql.get<IncidentRow>('SELECT * FROM page_incidents WHERE dedup_key = ?', [dedupKey]);
    return r ? toIncident(r) : null;
  }

  /** Opens the incident under its dedup key (a resolved one opens again, as PagerDuty opens a new incident). */
  async open(
    i: Pick<Incident, 'dedupKey' | 'kind' | 'occurrence' | 'watermark' | 'summary' | 'details'>,
    at: string,
  ): Promise<void> {
    await this.sql.run(
      `INSERT INTO page_incidents (dedup_key, kind, status, occurrence, watermark, summary, details, opened_at)
       VALUES (?, ?, 'open', ?, ?, ?, ?, ?)
       ON CONFLICT (dedup_key) DO UPDATE SET kind = excluded.kind, status = 'open', occurrence = excluded.occurrence,
         watermark = excluded.watermark, summary = excluded.summary, details = excluded.details,
         opened_at = excluded.opened_at, resolved_at = NULL, resolution = NULL`,
      [i.dedupKey, i.kind, i.occurrence, i.watermark, redactText(i.summary), JSON.stringify(redact(i.details)), at],
    );
  }

  async resolve(dedupKey: string, at: string, resolution: string, occurrence: string | null): Promise<void> {
    await this.sql.run(
      `UPDATE page_incidents SET status = 'resolved', resolved_at = ?, resolution = ?, occurrence = COALESCE(?, occurrence)
       WHERE dedup_key = ? AND status = 'open'`,
      [at, redactText(resolution), occurrence, dedupKey],
    );
  }

  /** Queues an event; its body is stored redacted, and never holds the routing key. */
  async enqueue(
    e: { dedupKey: string; action: PageAction; body: Record<string, unknown> },
    at: string,
  ): Promise<number> {
    const r = await this.sql.get<{ id: number }>(
      'INSERT INTO page_events (created_at, dedup_key, action, body) VALUES (?, ?, ?, ?) RETURNING id',
      [at, e.dedupKey, e.action, JSON.stringify(redact(e.body))],
    );
    return Number(r?.id);
  }

  /**
   * Forgets events PagerDuty accepted (or that were withdrawn) before `before`. Kept whatever their age: each
   * incident's latest event (withdrawing a trigger reads it) and its latest one not withdrawn (retrying a refused
   * event reads it: were a sent resolve after it forgotten, an old refused trigger would look current). Returns
   * how many went. Incidents themselves stay.
   */
  async prune(before: string): Promise<number> {
    const r = await this.sql.run(
      `DELETE FROM page_events WHERE status IN ('sent', 'superseded') AND created_at < ?
         AND id NOT IN (SELECT MAX(id) FROM page_events GROUP BY dedup_key)
         AND id NOT IN (SELECT MAX(id) FROM page_events WHERE status != 'superseded' GROUP BY dedup_key)`,
      [before],
    );
    return r.changes;
  }

  /**
   * Drops the key's trigger when it is the key's latest event, still queued and not being sent: PagerDuty never
   * heard of the incident, so its resolve need not go either. False when the trigger went out (or is going).
   */
  async withdrawTrigger(dedupKey: string, nowMs: number): Promise<boolean> {
    const latest = await this.sql.get<{ id: number; action: PageAction; status: string; leased_until: number | null }>(
      'SELECT id, action, status, leased_until FROM page_events WHERE dedup_key = ? ORDER BY id DESC LIMIT 1',
      [dedupKey],
    );
    if (latest?.action !== 'trigger' || latest.status !== 'pending') return false;
    const r = await this.sql.run(
      `UPDATE page_events SET status = 'superseded' WHERE id = ? AND status = 'pending' AND (leased_until IS NULL OR leased_until <= ?)`,
      [latest.id, nowMs],
    );
    return r.changes === 1;
  }

  /**
   * Events ready to go at `nowMs`, oldest first; an event waits while an earlier one about the same incident is
   * still queued (a resolve never overtakes its trigger).
   */
  async due(nowMs: number, limit = 50): Promise<PageEvent[]> {
    const rows = await this.sql.all<EventRow>(
      `SELECT * FROM page_events e WHERE status = 'pending' AND next_attempt_at <= ?
         AND NOT EXISTS (SELECT 1 FROM page_events p WHERE p.dedup_key = e.dedup_key AND p.status = 'pending' AND p.id < e.id)
       ORDER BY id LIMIT ?`,
      [nowMs, limit],
    );
    return rows.map(toEvent);
  }

  /** Takes an event for `leaseMs`: only one process sends it; if that one dies, the event is due again. */
  async claim(id: number, nowMs: number, leaseMs: number): Promise<boolean> {
    const r = await this.sql.run(claimQuery(this.sql, 'page_events'), [nowMs + leaseMs, nowMs + leaseMs, id, nowMs]);
    return r.changes === 1;
  }

  async markSent(id: number, at: string): Promise<void> {
    await this.sql.run(
      `UPDATE page_events SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL, leased_until = NULL WHERE id = ?`,
      [at, id],
    );
  }

  async retryLater(id: number, atMs: number, error: string): Promise<void> {
    await this.sql.run(
      'UPDATE page_events SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, leased_until = NULL WHERE id = ?',
      [atMs, redactText(error), id],
    );
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.sql.run(
      `UPDATE page_events SET status = 'failed', attempts = attempts + 1, last_error = ?, leased_until = NULL WHERE id = ?`,
      [redactText(error), id],
    );
  }

  /**
   * Queues again each incident's latest event that PagerDuty refused (after the operator fixed the routing key or
   * the URL and restarted). An older refused event stays failed: a later one has said more since.
   */
  async retryFailed(): Promise<number> {
    const r = await this.sql.run(
      `UPDATE page_events SET status = 'pending', next_attempt_at = 0 WHERE status = 'failed'
         AND id = (SELECT MAX(id) FROM page_events p WHERE p.dedup_key = page_events.dedup_key AND p.status != 'superseded')`,
    );
    return r.changes;
  }

  async get(id: number): Promise<PageEvent | null> {
    const r = await this.sql.get<EventRow>('SELECT * FROM page_events WHERE id = ?', [id]);
    return r ? toEvent(r) : null;
  }

  /** All events, oldest first (for tests and operators). */
  async events(): Promise<PageEvent[]> {
    return (await this.sql.all<EventRow>('SELECT * FROM page_events ORDER BY id')).map(toEvent);
  }

  async pendingCount(): Promise<number> {
    const r = await this.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM page_events WHERE status = 'pending'`);
    return Number(r?.n ?? 0);
  }

  /** Earliest time (ms) a queued event becomes due, or null when nothing waits. */
  async nextDueAt(): Promise<number | null> {
    const r = await this.sql.get<{ t: number | null }>(
      `SELECT MIN(next_attempt_at) AS t FROM page_events WHERE status = 'pending'`,
    );
    return r?.t == null ? null : Number(r.t);
  }
}
