// Idempotency keys for side effects: an effect recorded under a key is never carried out twice; and claims on
// work that only one process may do (starting an escalation's thread), taken over when their owner is gone.
import { type Liveness, localLiveness } from './liveness.js';
import { PROCESS_ID } from './owner.js';
import type { Sql } from './sql.js';

export class EffectLog {
  constructor(
    private readonly sql: Sql,
    /** Whether a claim's owner still runs: its pid on one machine, its session across replicas. */
    private readonly liveness: Liveness = localLiveness,
  ) {}

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

  /**
   * Takes `key` for this process: true when nobody had it, this process has it already, or its owner is gone
   * (then one of those asking takes it over); false while another live process has it.
   */
  async claim(key: string, at: string): Promise<boolean> {
    const mine = JSON.stringify({ owner: PROCESS_ID });
    const added = await this.sql.get(
      'INSERT INTO effects (key, at, result) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING key',
      [key, at, mine],
    );
    if (added) return true;
    const held = await this.sql.get<{ result: string | null }>('SELECT result FROM effects WHERE key = ?', [key]);
    if (!held) return false;
    if (held.result === mine) return true;
    const owner = (JSON.parse(held.result ?? 'null') as { owner?: unknown } | null)?.owner;
    if (await this.liveness.alive(typeof owner === 'string' ? owner : null)) return false;
    const taken = await this.sql.run(
      'UPDATE effects SET result = ?, at = ? WHERE key = ? AND result IS NOT DISTINCT FROM ?',
      [mine, at, key, held.result],
    );
    return taken.changes === 1;
  }

  /**
   * `claim` for many keys at once: those this process now holds. On PostgreSQL the keys nobody had are taken in
   * one statement (a run's new threads, all of them unclaimed), and only the rest are asked one by one.
   */
  async claimAll(keys: readonly string[], at: string): Promise<Set<string>> {
    const held = new Set<string>();
    let rest = keys;
    if (this.sql.dialect === 'postgres' && keys.length > 1) {
      const added = await this.sql.all<{ key: string }>(
        `INSERT INTO effects (key, at, result) SELECT k, ?, ? FROM json_array_elements_text(?::json) AS k
         ON CONFLICT DO NOTHING RETURNING key`,
        [at, JSON.stringify({ owner: PROCESS_ID }), JSON.stringify(keys)],
      );
      for (const r of added) held.add(r.key);
      rest = keys.filter((k) => !held.has(k));
    }
    for (const k of rest) if (await this.claim(k, at)) held.add(k);
    return held;
  }
}
