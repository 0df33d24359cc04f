// When digests went out.
import type { Sql } from './sql.js';

/** When digests went out, so that each covers what happened since the one before. */
export class DigestLog {
  constructor(private readonly sql: Sql) {}

  async lastAt(channel: string): Promise<string | null> {
    const r = await this.sql.get<{ at: string | null }>('SELECT MAX(at) AS at FROM digests WHERE channel = ?', [
      channel,
    ]);
    return r?.at ?? null;
  }

  async record(channel: string, at: string, runs: number): Promise<void> {
    await this.sql.run('INSERT INTO digests (at, channel, runs) VALUES (?, ?, ?)', [at, channel, runs]);
  }
}
