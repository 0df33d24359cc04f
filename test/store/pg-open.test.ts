// Opening PostgreSQL as a replica does at start: migrated once however many open together, the checkpointer on
// the same pool and schema, and everything let go of on close.
import { emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/pg-open.js';
import { PG_MIGRATIONS } from '../../src/store/pg-schema.js';
import { useTestSchema } from '../pg/harness.js';

describe('openPostgres', () => {
  const db = useTestSchema();

  it('opens three replicas at once on one schema, one of them migrating it', async () => {
    const replicas = await Promise.all([1, 2, 3].map(() => openPostgres(db.url)));
    try {
      expect(replicas.flatMap((r) => r.migration.applied)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
      for (const r of replicas) expect(r.schema).toBe(db.schema);
      // The run lock is one across them.
      const taken = await Promise.all(replicas.map((r, i) => r.locks.acquire('cycle', `run-${i}`, '2026-01-01')));
      expect(taken.filter((t) => t === null)).toHaveLength(1);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it("keeps escalation threads in the schema's checkpoint tables, readable by another replica", async () => {
    const a = await openPostgres(db.url);
    const b = await openPostgres(db.url);
    try {
      const checkpoint = { ...emptyCheckpoint(), id: '1ef-0001', channel_values: { escalationId: 'esc-1' } };
      checkpoint.channel_versions = { escalationId: 1 };
      await a
        .checkpointer()
        .put(
          { configurable: { thread_id: 'esc-1', checkpoint_ns: '' } },
          checkpoint,
          { source: 'input', step: -1, parents: {} },
          { escalationId: 1 },
        );
      const read = await b.checkpointer().getTuple({ configurable: { thread_id: 'esc-1' } });
      expect(read?.checkpoint.channel_values).toEqual({ escalationId: 'esc-1' });
      const rows = await b.sql.get<{ n: number }>('SELECT count(*) AS n FROM checkpoints');
      expect(rows).toEqual({ n: 1 });
    } finally {
      await a.close();
      await b.close();
    }
    expect(a.pool.ended).toBe(true);
    expect(a.session.lost()).not.toBeNull();
  });
});
