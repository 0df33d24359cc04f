// A replay's store on PostgreSQL: every session read-only, nothing migrated or written, and the same answers as a
// SQLite file gets (null for no database, a clear error for another schema version).
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { Store } from '../../src/store/index.js';
import { readOnlyUrl } from '../../src/store/pg-open.js';
import { PG_MIGRATIONS } from '../../src/store/pg-schema.js';
import { useTestSchema } from '../pg/harness.js';

async function tables(url: string): Promise<number> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema()`,
    );
    return rows[0].n;
  } finally {
    await client.end();
  }
}

describe('Store.openReadOnly on PostgreSQL', () => {
  const db = useTestSchema();

  it('is null on a schema with no database, and creates nothing there', async () => {
    expect(await Store.openReadOnly(db.url)).toBeNull();
    expect(await tables(db.url)).toBe(0);
  });

  it('reads what a store wrote, and refuses writes', async () => {
    const writer = await Store.open(db.url);
    await writer.runs.start({ id: 'run-1', startedAt: '2026-11-20T09:00:00Z', trigger: 'cli', actor: 'test' });
    await writer.close();
    const store = (await Store.openReadOnly(db.url)) as Store;
    try {
      expect((await store.runs.get('run-1'))?.status).toBe('running');
      await expect(
        store.audit.append({ at: '2026-11-20T10:00:00Z', runId: null, type: 'run_started', actor: 'x', details: {} }),
      ).rejects.toThrow(/read-only transaction/);
    } finally {
      await store.close();
    }
  });

  it("says the schema is older than this version's instead of migrating it", async () => {
    await (await Store.open(db.url)).close();
    const client = new pg.Client(db.url);
    await client.connect();
    await client.query('DELETE FROM schema_version WHERE version = $1', [PG_MIGRATIONS.length]);
    await client.end();
    const err = await Store.openReadOnly(db.url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/schema \(\d+\) is older than this version's .*npx pacing migrate/);
  });

  it("keeps the URL's own options (its search_path) beside read-only", () => {
    expect(readOnlyUrl('postgres://u@h/db?options=-c%20search_path%3Dpacing_eu&sslmode=require')).toBe(
      'postgres://u@h/db?options=-c+search_path%3Dpacing_eu+-c+default_transaction_read_only%3Don&sslmode=require',
    );
    expect(readOnlyUrl('postgres://u@h/db')).toBe('postgres://u@h/db?options=-c+default_transaction_read_only%3Don');
  });
});
