// Which process runs a scheduled tick. Several replicas on PostgreSQL each fire every tick; the first to claim
// it (job, scheduled wall-clock time) runs it and the others skip. One process serves a SQLite file: every
// tick is its own, as before (the run lock still refuses a second cycle from another process).
import { PROCESS_ID } from './owner.js';
import type { Sql } from './sql.js';

/** Claimed ticks are kept this long, then pruned by later claims of the same job. */
const KEEP_MS = 7 * 24 * 3_600_000;

export class Ticks {
  constructor(
    private readonly sql: Sql,
    /** Who claims: this process (pid and token), as its other claims are written. */
    private readonly by: string = PROCESS_ID,
  ) {}

  /** True for exactly one of the processes that claim the same job and scheduled time. */
  async claim(job: string, scheduledAt: Date): Promise<boolean> {
    if (this.sql.dialect === 'sqlite') return true;
    const when = tickTime(scheduledAt);
    const row = await this.sql.get(
      `INSERT INTO ticks (job, scheduled_at, claimed_by, claimed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (job, scheduled_at) DO NOTHING RETURNING job`,
      // When it was claimed is real time (PACING_NOW changes what "now" means inside a cycle, not when ticks fire).
      [job, when, this.by, new Date().toISOString()],
    );
    if (row === undefined) return false;
    await this.sql.run('DELETE FROM ticks WHERE job = ? AND scheduled_at < ?', [
      job,
      tickTime(new Date(scheduledAt.getTime() - KEEP_MS)),
    ]);
    return true;
  }

  /** Who claimed the tick, or null when nobody has (yet). */
  async claimedBy(job: string, scheduledAt: Date): Promise<string | null> {
    if (this.sql.dialect === 'sqlite') return null;
    const row = await this.sql.get<{ claimed_by: string }>(
      'SELECT claimed_by FROM ticks WHERE job = ? AND scheduled_at = ?',
      [job, tickTime(scheduledAt)],
    );
    return row?.claimed_by ?? null;
  }
}

/** A tick's key: its scheduled time to the second (cron rules have no finer grain), UTC. */
export function tickTime(scheduledAt: Date): string {
  return new Date(Math.floor(scheduledAt.getTime() / 1000) * 1000).toISOString();
}
