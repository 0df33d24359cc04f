// When digests went out.
import type { Db } from './db.js';

/** When digests went out, so that each covers what happened since the one before. */
export class DigestLog {
  constructor(private readonly db: Db) {}

  lastAt(channel: string): string | null {
    const r = this.db.prepare('SELECT MAX(at) AS at FROM digests WHERE channel = ?').get(channel) as {
      at: string | null;
    };
    return r.at;
  }

  record(channel: string, at: string, runs: number): void {
    this.db.prepare('INSERT INTO digests (at, channel, runs) VALUES (?, ?, ?)').run(at, channel, runs);
  }
}
