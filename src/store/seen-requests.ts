// Slack request signatures already acted on, so a replayed request is refused.
import type { Sql } from './sql.js';

/** How long a signature is remembered: past Slack's 5-minute window for a request's timestamp. */
const KEEP_MS = 10 * 60_000;

/**
 * Slack request signatures already acted on, kept past Slack's 5-minute window: a replay is refused. Kept in the
 * database, so a retry that another replica receives is refused there too.
 */
export class SeenRequests {
  private inserted = 0;

  constructor(private readonly sql: Sql) {}

  /** True the first time a signature is seen; false for a replay. One insert decides, whoever else tries it. */
  async first(signature: string, nowMs: number): Promise<boolean> {
    if (++this.inserted % 100 === 0) await this.sql.run('DELETE FROM seen_requests WHERE at < ?', [nowMs - KEEP_MS]);
    const added = await this.sql.get<{ signature: string }>(
      'INSERT INTO seen_requests (signature, at) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING signature',
      [signature, nowMs],
    );
    return added !== undefined;
  }
}
