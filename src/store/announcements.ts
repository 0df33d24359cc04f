// What each campaign's situation last told people, so a run does not post the same thing again.
import type { Announced } from '../domain/notice.js';
import type { Sql } from './sql.js';

interface Row {
  key: string;
  severity: string | null;
  action: string;
  pause: string | null;
  variance_pct: number | null;
}

export class Announcements {
  constructor(private readonly sql: Sql) {}

  /** Everything remembered, by campaign key (one read a run). */
  async all(): Promise<Map<string, Announced>> {
    const rows = await this.sql.all<Row>('SELECT key, severity, action, pause, variance_pct FROM announcements');
    return new Map(
      rows.map((r) => [r.key, { severity: r.severity, action: r.action, pause: r.pause, variancePct: r.variance_pct }]),
    );
  }

  /**
   * Remembers what was posted and forgets what is back on plan, in one transaction. SQLite runs a prepared
   * statement per campaign (in process, that is the fastest); PostgreSQL takes them all in one statement each
   * (the rows as one JSON parameter), as a first run posts about most campaigns and a round trip costs more than
   * the statement.
   */
  async update(
    runId: string,
    at: string,
    posted: readonly { key: string; state: Announced }[],
    resolved: readonly string[],
  ): Promise<void> {
    await this.sql.transaction(async (tx) => {
      if (tx.dialect === 'sqlite') {
        for (const p of posted)
          await tx.run(`${UPSERT} VALUES (?, ?, ?, ?, ?, ?, ?) ${ON_CONFLICT}`, [
            p.key,
            p.state.severity,
            p.state.action,
            p.state.pause,
            p.state.variancePct,
            runId,
            at,
          ]);
        for (const k of resolved) await tx.run('DELETE FROM announcements WHERE key = ?', [k]);
        return;
      }
      if (posted.length) {
        // One statement may not update a row twice: a key posted twice keeps its last state, as one after the other.
        const rows = [...new Map(posted.map((p) => [p.key, { key: p.key, ...p.state }])).values()];
        await tx.run(
          `${UPSERT} SELECT r.key, r.severity, r.action, r.pause, r."variancePct", ?, ? FROM json_to_recordset(?::json)
             AS r(key text, severity text, action text, pause text, "variancePct" double precision) ${ON_CONFLICT}`,
          [runId, at, JSON.stringify(rows)],
        );
      }
      if (resolved.length)
        await tx.run('DELETE FROM announcements WHERE key IN (SELECT json_array_elements_text(?::json))', [
          JSON.stringify(resolved),
        ]);
    });
  }
}

const UPSERT = 'INSERT INTO announcements (key, severity, action, pause, variance_pct, run_id, at)';
const ON_CONFLICT = `ON CONFLICT (key) DO UPDATE SET severity = excluded.severity, action = excluded.action,
  pause = excluded.pause, variance_pct = excluded.variance_pct, run_id = excluded.run_id, at = excluded.at`;
