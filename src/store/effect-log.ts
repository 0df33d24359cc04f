// Idempotency keys for side effects: an effect recorded under a key is never carried out twice.
import type { Db } from './db.js';

export class EffectLog {
  private readonly lookup;
  constructor(private readonly db: Db) {
    this.lookup = db.prepare('SELECT 1 FROM effects WHERE key = ?');
  }

  /** True when the effect under `key` has already been carried out. */
  done(key: string): boolean {
    return this.lookup.get(key) !== undefined;
  }

  record(key: string, at: string, result: unknown = null): void {
    this.db
      .prepare('INSERT OR IGNORE INTO effects (key, at, result) VALUES (?, ?, ?)')
      .run(key, at, JSON.stringify(result));
  }
}
