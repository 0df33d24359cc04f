// Slack request signatures already acted on, so a replayed request is refused.
import type { Db } from './db.js';

/** Slack request signatures already acted on, kept past Slack's 5-minute window: a replay is refused. */
export class SeenRequests {
  private readonly insert;
  private readonly prune;
  private inserted = 0;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT OR IGNORE INTO seen_requests (signature, at) VALUES (?, ?)');
    this.prune = db.prepare('DELETE FROM seen_requests WHERE at < ?');
  }

  /** True the first time a signature is seen; false for a replay. */
  first(signature: string, nowMs: number): boolean {
    if (++this.inserted % 100 === 0) this.prune.run(nowMs - 10 * 60_000);
    return this.insert.run(signature, nowMs).changes === 1;
  }
}
