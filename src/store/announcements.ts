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

  /** Remembers what was posted and forgets what is back on plan, in one transaction. */
  async update(
    runId: string,
    at: string,
    posted: readonly { key: string; state: Announced }[],
    resolved: readonly string[],
  ): Promise<void> {
    await this.sql.transaction(async (tx) => {
      for (const p of posted)
        await tx.run(
          `INSERT INTO announcements (key, severity, action, pause, variance_pct, run_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET severity = excluded.severity, action = excluded.action, pause = excluded.pause,
             variance_pct = excluded.variance_pct, run_id = excluded.run_id, at = excluded.at`,
          [p.key, p.state.severity, p.state.action, p.state.pause, p.state.variancePct, runId, at],
        );
      for (const k of resolved) await tx.run('DELETE FROM announcements WHERE key = ?', [k]);
    });
  }
}
