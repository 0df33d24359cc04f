// Idempotency keys for side effects: an effect recorded under a key is never carried out twice.
import type { Sql } from './sql.js';

export class EffectLog {
  constructor(private readonly sql: Sql) {}

  /** True when the effect under `key` has already been carried out. */
  async done(key: string): Promise<boolean> {
    return (await this.sql.get('SELECT 1 AS done FROM effects WHERE key = ?', [key])) !== undefined;
  }

  async record(key: string, at: string, result: unknown = null): Promise<void> {
    await this.sql.run('INSERT INTO effects (key, at, result) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
      key,
      at,
      JSON.stringify(result),
    ]);
  }
}
